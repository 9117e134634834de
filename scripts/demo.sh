#!/usr/bin/env bash
# The main job: installs dependencies, builds the release preset and runs the example
# project (examples/demo) end to end: agents on the offline test model calling the
# example MCP servers, their turns stored in the embedded SQLite database, and a second
# run on the same session that loads the first one's history; then what the database
# holds. No API key, no server.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh demo  # what building and running needs, none of the tests' tools
bash scripts/build.sh release

root=$PWD
# `aurite` on PATH, as in the README; the example servers and plugin next to it are found
# without more (src/mcp/program_lookup.hpp).
export PATH="$root/build/release/bin:$PATH"
export AURITE_ENABLE_DB=true
export AURITE_DB_PATH="$root/.aurite/demo.db"
rm -f "$AURITE_DB_PATH" "$AURITE_DB_PATH-wal" "$AURITE_DB_PATH-shm"  # each demo starts afresh
project=examples/demo/aurite_config.json

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step aurite validate --config "$project"
step aurite list agents --config "$project"
step aurite tools --agent "Weather Planning Agent" --config "$project"
step aurite run "Weather Planning Agent" "What should I wear in Oslo today?" --session demo --config "$project"
step aurite run "Weather Planning Agent" "And tomorrow?" --session demo --config "$project"
step aurite run "Weather Planning Workflow" "Lima" --session demo --config "$project"
step aurite run "Example Custom Workflow" "Quito" --session demo --config "$project"
step aurite db status
step aurite history sessions
step aurite history show "Weather Planning Agent" --session demo --limit 4
