#!/usr/bin/env bash
# Installs dependencies, builds the dev preset (Debug + AddressSanitizer/UBSan, warnings
# as errors) and runs every test with CTest. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
# The reference MCP servers (npm) some MCP tests talk to; a cached copy is reused.
bash scripts/fetch-mcp-servers.sh
bash scripts/build.sh dev
# Sanitizer reports fail the test that caused them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --preset dev -j "$(nproc)"
bash scripts/fuzz.sh "${AURITE_FUZZ_SECONDS:-60}"
