#!/usr/bin/env bash
# run_consumer.sh BUILD_DIR CONSUMER_SRC WORK_DIR CXX_FLAGS PROJECT_FILE
set -euo pipefail
build_dir=$1 consumer=$2 work=$3 flags=$4 project=$5
rm -rf "$work"
cmake --install "$build_dir" --prefix "$work/prefix" >/dev/null
test -x "$work/prefix/bin/aurite" || { echo "aurite CLI not installed"; exit 1; }
test -f "$work/prefix/include/aurite/config/models.hpp" || { echo "headers not installed"; exit 1; }
cmake -S "$consumer" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
      -DCMAKE_CXX_FLAGS="$flags" -DCMAKE_EXE_LINKER_FLAGS="$flags" >/dev/null
cmake --build "$work/build" >/dev/null
output=$("$work/build/consumer" "$project")
echo "$output"
[ "$output" = "agents: 4" ] || { echo "unexpected consumer output"; exit 1; }
# The installed aurite finds the example servers in <prefix>/libexec/aurite by itself.
answer=$(cd "$work" && env -u AURITE_PLUGIN_PATH PATH=/usr/bin:/bin AURITE_ENABLE_DB=false \
  "$work/prefix/bin/aurite" run "Weather Agent" "What should I wear in Oslo?" --config "$project")
echo "$answer"
grep -q "Weather in Oslo" <<<"$answer" || { echo "the installed aurite did not answer about Oslo"; exit 1; }
