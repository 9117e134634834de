#!/usr/bin/env bash
# Checks that each module includes only the public headers of the modules below it
# (DESIGN.md §2). A violation prints the file, the include and the rule it breaks.
set -euo pipefail
root=${1:?usage: check_layers.sh SOURCE_DIR}
cd "$root"

# The modules each module may use (itself included). Order follows the layers.
declare -A allowed=(
  [common]="common"
  [config]="config common"
  [net]="net common"
  [secrets]="secrets common"
  [telemetry]="telemetry net common"
  [storage]="storage secrets config common"
  [mcp]="mcp telemetry secrets net config common"
  [llm]="llm telemetry net config common"
  [execution]="execution storage mcp llm telemetry secrets net config common"
  [host]="host execution storage mcp llm telemetry secrets net config common"
  [api]="api host execution storage mcp llm telemetry secrets net config common"
  [cli]="cli api host execution storage mcp llm telemetry secrets net config common"
)

status=0
for module in "${!allowed[@]}"; do
  for dir in "src/$module" "include/aurite/$module"; do
    [ -d "$dir" ] || continue
    while IFS=: read -r file _ used; do
      if [[ " ${allowed[$module]} " != *" $used "* ]]; then
        echo "$file: module '$module' includes aurite/$used/, a module it may not use"
        status=1
      fi
    done < <(grep -rnoE '#include "aurite/[a-z_]+/' "$dir" | sed -E 's#(.*):[0-9]+:\#include "aurite/([a-z_]+)/#\1:x:\2#')
  done
done
[ $status -eq 0 ] && echo "layers: every include follows DESIGN.md §2"
exit $status
