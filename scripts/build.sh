#!/usr/bin/env bash
# build.sh PRESET: configures (once) and builds a CMake preset; ccache keeps rebuilds fast.
set -euo pipefail
preset=${1:?usage: build.sh dev|release}
cd "$(dirname "$0")/.."
[ -f "build/$preset/build.ninja" ] || cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
