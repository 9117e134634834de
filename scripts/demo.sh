#!/usr/bin/env bash
# The main job: installs dependencies, builds the release preset and runs the example
# project (examples/demo) on the embedded defaults. No API key or server needed.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
export PATH="$PWD/build/release/bin:$PATH"
project=examples/demo/aurite_config.json

echo; echo "\$ aurite validate --config $project"
aurite validate --config "$project"
echo; echo "\$ aurite list --config $project"
aurite list --config "$project"
echo; echo "\$ aurite show 'Weather Agent' --config $project"
aurite show "Weather Agent" --config "$project"
