#!/usr/bin/env bash
# Installs dependencies, builds the dev preset (Debug + AddressSanitizer/UBSan, warnings
# as errors) and runs every test with CTest and the MCP conformance suite; then builds
# the tsan preset (ThreadSanitizer) and runs the tests labelled `concurrent` under it;
# last, fuzzes each parser of outside bytes for AURITE_FUZZ_SECONDS (60) with
# scripts/fuzz.sh. CI runs exactly this (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh test
# The reference MCP servers (npm) some MCP tests talk to; a cached copy is reused.
bash scripts/fetch-mcp-servers.sh
bash scripts/build.sh dev
# Sanitizer reports fail the test that caused them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
ctest --preset dev -j "$(nproc)"
# The official MCP conformance suite against our servers and client, in a network
# namespace of its own (docs/mcp-conformance.md); a few seconds once installed.
bash scripts/mcp-conformance.sh

# gcc 12's ThreadSanitizer expects the program at fixed addresses and aborts with
# "FATAL: ThreadSanitizer: unexpected memory mapping" when the kernel randomises mmap
# with more bits than it knows (vm.mmap_rnd_bits above 28 on recent kernels). Running
# without address randomisation (setarch -R, inherited by every child process) avoids
# that; where that is not permitted (some containers), lowering the sysctl does.
tsan_run=()
if setarch "$(uname -m)" -R true 2>/dev/null; then
  tsan_run=(setarch "$(uname -m)" -R)
elif [ "$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo 0)" -gt 28 ]; then
  sysctl -q -w vm.mmap_rnd_bits=28 || {
    echo "test.sh: ThreadSanitizer needs vm.mmap_rnd_bits <= 28 or setarch -R; neither is possible here" >&2
    exit 1
  }
fi
probe_dir=build/tsan-probe
mkdir -p "$probe_dir"
echo 'int main() { return 0; }' | g++ -fsanitize=thread -x c++ - -o "$probe_dir/probe"
"${tsan_run[@]}" "$probe_dir/probe" || {
  echo "test.sh: a ThreadSanitizer program does not start on this machine (see above)" >&2
  exit 1
}

# The build runs each test program once to list its tests, so it needs the same runner.
"${tsan_run[@]}" bash scripts/build.sh tsan
# Reports go to files, one per process: a race in a child (`aurite serve`, an MCP server)
# whose exit status a test does not look at still fails the run. The preset adds
# halt_on_error=1 (CMakePresets.json). The preset leaves out three MCP fault tests whose
# deadlines (0.2 s and 0.3 s to start a server, 60 s for a 15 MiB answer) do not hold
# under TSan's slowdown; they run in the dev suite, and TSan sees the same code paths
# in the other MCP tests.
reports=build/tsan/tsan-reports
rm -rf "$reports" && mkdir -p "$reports"
export TSAN_OPTIONS="log_path=$PWD/$reports/report"
status=0
"${tsan_run[@]}" ctest --preset tsan -j "$(nproc)" || status=$?
if compgen -G "$reports/report*" >/dev/null; then
  for report in "$reports"/report*; do
    echo "=== ThreadSanitizer: $report" && cat "$report"
  done
  echo "test.sh: ThreadSanitizer reported the problems above" >&2
  exit 1
fi
[ "$status" -eq 0 ] || exit "$status"

bash scripts/fuzz.sh "${AURITE_FUZZ_SECONDS:-60}"
