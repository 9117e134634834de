#!/usr/bin/env bash
# in_private_network.sh PROGRAM [ARGS...]: runs PROGRAM in a network namespace of its own
# with only a loopback interface, so a server it starts that binds every interface (the
# npm reference servers' HTTP modes) is reachable from nowhere but this namespace.
set -euo pipefail
exec unshare --net -- bash -c 'ip link set lo up && exec "$@"' in_private_network "$@"
