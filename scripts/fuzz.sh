#!/usr/bin/env bash
# fuzz.sh [SECONDS]: builds the fuzz preset (clang, libFuzzer, ASan/UBSan) and runs every
# target in fuzz/ for SECONDS (default 60) on a copy of its checked-in seed corpus, one
# target per core at a time.
# Fails on the first crash, leak, sanitizer report, timeout or out-of-memory; the input
# that caused it is kept in build/fuzz/findings/TARGET/ and printed as a reproducer.
set -euo pipefail
seconds=${1:-60}
cd "$(dirname "$0")/.."
bash scripts/build.sh fuzz

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
work=build/fuzz/runs
findings=build/fuzz/findings
rm -rf "$work"
mkdir -p "$work"

# One target for SECONDS on a copy of its seeds; its log is $work/NAME.log.
fuzz_target() {
  local name=$1 dict=()
  # A copy: libFuzzer adds what it finds to the corpus it runs on, and the checked-in
  # seeds stay small and chosen by hand.
  mkdir -p "$work/$name" "$findings/$name"
  cp fuzz/corpus/"$name"/* "$work/$name/"
  [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
  "build/fuzz/fuzz/${name}_fuzz" "$work/$name" "${dict[@]}" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -artifact_prefix="$findings/$name/" -print_final_stats=1 >"$work/$name.log" 2>&1
}

# As many targets at once as there are cores: each is one process, and the run takes
# SECONDS per round of them instead of per target.
names=()
for source in fuzz/*_fuzz.cpp; do names+=("$(basename "$source" _fuzz.cpp)"); done
lanes=$(nproc)
status=0
for ((first = 0; first < ${#names[@]}; first += lanes)); do
  pids=() round=("${names[@]:first:lanes}")
  for name in "${round[@]}"; do
    echo "fuzz.sh: $name for ${seconds}s"
    fuzz_target "$name" &
    pids+=($!)
  done
  for i in "${!round[@]}"; do
    name=${round[$i]}
    if ! wait "${pids[$i]}"; then
      tail -n 60 "$work/$name.log" >&2
      echo "fuzz.sh: $name FAILED; reproduce with: build/fuzz/fuzz/${name}_fuzz $findings/$name/<crash file>" >&2
      status=1
    else
      grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' "$work/$name.log" | sed "s/^/fuzz.sh: $name: /" || true
    fi
  done
done
[ "$status" -eq 0 ] && echo "fuzz.sh: every target ran ${seconds}s without a finding"
exit "$status"
