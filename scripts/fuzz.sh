#!/usr/bin/env bash
# fuzz.sh [SECONDS]: builds the fuzz preset (clang, libFuzzer, ASan/UBSan) and runs every
# target in fuzz/ for SECONDS (default 60) on a copy of its checked-in seed corpus.
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
status=0
for source in fuzz/*_fuzz.cpp; do
  name=$(basename "$source" _fuzz.cpp)
  # A copy: libFuzzer adds what it finds to the corpus it runs on, and the checked-in
  # seeds stay small and chosen by hand.
  mkdir -p "$work/$name" "$findings/$name"
  cp fuzz/corpus/"$name"/* "$work/$name/"
  dict=()
  [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")
  echo "fuzz.sh: $name for ${seconds}s"
  if ! "build/fuzz/fuzz/${name}_fuzz" "$work/$name" "${dict[@]}" \
      -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
      -artifact_prefix="$findings/$name/" -print_final_stats=1 >"$work/$name.log" 2>&1; then
    tail -n 60 "$work/$name.log" >&2
    echo "fuzz.sh: $name FAILED; reproduce with: build/fuzz/fuzz/${name}_fuzz $findings/$name/<crash file>" >&2
    status=1
  else
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|^Done' "$work/$name.log" | sed "s/^/fuzz.sh: $name: /" || true
  fi
done
[ "$status" -eq 0 ] && echo "fuzz.sh: every target ran ${seconds}s without a finding"
exit "$status"
