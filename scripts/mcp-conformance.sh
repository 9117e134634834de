#!/usr/bin/env bash
# Runs the official MCP conformance suite against our MCP code (docs/mcp-conformance.md).
#
#   scripts/mcp-conformance.sh
#
# Legs, for both requirement sets (2025-11-25 and 2026-07-28) where they apply:
#   server   the set's server scenarios against aurite-example-conformance-server
#   weather  the 2025-11-25 server scenarios that apply to a plain tool server against
#            aurite-example-weather-server
#   client   the set's client scenarios, authorization (auth/*) included, and the OAuth
#            client-credentials extension's two scenarios, with our client driver
#            build/dev/tests/conformance/mcp-client as the client under test
#
# The suite and Node 22 come pinned from tests/conformance/package-lock.json, installed
# with `npm ci` into build/conformance (reused while the lock file is unchanged).
# Everything runs in a private network namespace: the suite's own scenario servers
# listen on all interfaces. Failures listed in tests/conformance/expected-failures-2025-11-25.yaml
# and expected-failures-2026-07-28.yaml (the suite's --expected-failures format, one file
# per set) are allowed; anything else failing, and an expected failure that now passes,
# makes the exit status 1.
#
# Environment: AURITE_BUILD_DIR (build/dev), AURITE_CONFORMANCE_DIR (build/conformance).
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build_dir="${AURITE_BUILD_DIR:-${repo_root}/build/dev}"
suite_dir="${AURITE_CONFORMANCE_DIR:-${repo_root}/build/conformance}"
pins="${repo_root}/tests/conformance"
# One file per requirement set: a scenario both sets run may fail in one and pass in the
# other, and the suite calls an expected failure that passes a failure of the baseline.
expected_file() { echo "${pins}/expected-failures-$1.yaml"; }
readonly kNodeVersion="v22.23.3"
readonly kSets=(2025-11-25 2026-07-28)
# The 2025-11-25 server scenarios a server with tools only can pass; the rest call the
# conformance fixtures (test_* tools, prompts, resources).
readonly kWeatherScenarios=(server-initialize server-session-lifecycle ping tools-list server-sse-multiple-streams
                            dns-rebinding-protection)
# Optional extensions we implement: not in a set's scored list, run with --force (the
# suite skips an extension's scenario when a revision is named without it).
readonly kExtensionScenarios=(auth/client-credentials-basic auth/client-credentials-jwt)

install_suite() {
  local node="${suite_dir}/node_modules/.bin/node"
  if ! cmp -s "${pins}/package-lock.json" "${suite_dir}/package-lock.json" || ! "${node}" --version >/dev/null 2>&1; then
    command -v npm >/dev/null || { echo "mcp-conformance: npm is not on PATH" >&2; exit 1; }
    rm -rf "${suite_dir}" && mkdir -p "${suite_dir}"
    cp "${pins}/package.json" "${pins}/package-lock.json" "${suite_dir}/"
    (cd "${suite_dir}" && npm ci --no-audit --no-fund --loglevel=error)
  fi
  # node@22 gets its binary from a preinstall script, which npm may one day skip
  # (it already warns that allowScripts does not cover it): check the binary itself.
  local version
  version="$("${node}" --version 2>/dev/null || true)"
  if [[ "${version}" != "${kNodeVersion}" ]]; then
    echo "mcp-conformance: ${node} reports '${version}', not ${kNodeVersion}: npm did not run node's preinstall" \
         "(allow it with 'npm install-scripts approve node' in ${suite_dir}, or remove ${suite_dir} and retry)" >&2
    exit 1
  fi
}

build_servers() {
  [[ -d "${build_dir}" ]] || { echo "mcp-conformance: no build in ${build_dir} (scripts/build.sh dev)" >&2; exit 1; }
  cmake --build "${build_dir}" --target aurite_example_conformance_server aurite_example_weather_server >/dev/null
}

# The scenarios listed under `leg:` (server or client) of a requirements file.
scenarios_of() {
  awk -v leg="$2:" '$0 ~ "^[a-z_]+:" { on = ($1 == leg); next } on && $1 == "-" { print $2 }' \
    "${suite_dir}/node_modules/@modelcontextprotocol/conformance/requirements/$1.yaml"
}

# Waits until something listens on 127.0.0.1:$1, for at most 10 s; fails early when
# the process $2 exits.
wait_listening() {
  local deadline=$((SECONDS + 10))
  until (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; do
    kill -0 "$2" 2>/dev/null || { echo "mcp-conformance: the server on port $1 exited" >&2; return 1; }
    ((SECONDS < deadline)) || { echo "mcp-conformance: nothing listens on port $1 after 10 s" >&2; return 1; }
    sleep 0.05
  done
}

passed=0
failed=0
expected_failures=0  # failed, but listed in the expected-failures file
status=0
results="${build_dir}/conformance-results"

# run_suite NAME SET ARGS...: runs the suite with ARGS against the expected failures of
# requirement set SET, prints its output to a log, and counts the scenarios of its
# summary. Its exit status already judges the expected failures.
run_suite() {
  local name="$1" log="${results}/$1.log" expected
  expected="$(expected_file "$2")"
  shift 2
  local code=0
  "${suite_dir}/node_modules/.bin/node" "${suite_dir}/node_modules/.bin/conformance" "$@" \
    --expected-failures "${expected}" -o "${results}/${name}" >"${log}" 2>&1 || code=$?
  local ok bad
  if grep -q '=== SUMMARY ===' "${log}"; then
    ok=$(sed -n '/=== SUMMARY ===/,$p' "${log}" | grep -c '^✓ ' || true)
    bad=$(sed -n '/=== SUMMARY ===/,$p' "${log}" | grep -c '^✗ ' || true)
  elif grep -qE '^Passed: [0-9]+/[0-9]+, 0 failed' "${log}"; then
    ok=1 bad=0  # a run of one scenario prints no summary, only its checks
  else
    ok=0 bad=1
  fi
  passed=$((passed + ok))
  failed=$((failed + bad))
  # The suite exits 0 only when every failure is in the baseline.
  [[ ${code} -ne 0 ]] || expected_failures=$((expected_failures + bad))
  printf '%-28s %3d passed, %3d failed%s\n' "${name}" "${ok}" "${bad}" "$([[ ${code} -eq 0 ]] || echo "  <- exit ${code}, see ${log}")"
  sed -n '/=== SUMMARY ===/,$p' "${log}" | grep -E '^✗ |^  [~✗✓] ' | sed 's/^/    /' || true
  [[ ${code} -eq 0 ]] || status=1
}

# A server on $2 started from "${@:3}", for the leg $1.
run_server_leg() {
  local port="$2"
  "${@:3}" --http "127.0.0.1:${port}" 2>"${results}/$1.server.log" &
  local pid=$!
  if wait_listening "${port}" "${pid}"; then
    local url="http://127.0.0.1:${port}/mcp"
    case "$1" in
      server-*) run_suite "$1" "${1#server-}" server --url "${url}" --requirements "${1#server-}" ;;
      weather-*)
        for scenario in "${kWeatherScenarios[@]}"; do
          run_suite "$1-${scenario}" "${1#weather-}" server --url "${url}" --scenario "${scenario}" \
            --spec-version "${1#weather-}"
        done ;;
    esac
  else
    failed=$((failed + 1)) status=1
  fi
  kill "${pid}" 2>/dev/null || true
  wait "${pid}" 2>/dev/null || true
}

run_client_leg() {
  local set="$1" driver="${build_dir}/tests/conformance/mcp-client"
  local scenarios=()
  mapfile -t scenarios < <(scenarios_of "${set}" client)
  if [[ ! -x "${driver}" ]]; then
    echo "client-${set}: FAILED: the client driver ${driver} does not exist; ${#scenarios[@]} scenarios not run:" \
         "${scenarios[*]}" >&2
    failed=$((failed + ${#scenarios[@]} + ${#kExtensionScenarios[@]})) status=1
    return
  fi
  for scenario in "${scenarios[@]}"; do
    run_suite "client-${set}-${scenario//\//-}" "${set}" client --command "${driver}" --scenario "${scenario}" \
      --spec-version "${set}"
  done
  for scenario in "${kExtensionScenarios[@]}"; do
    run_suite "client-${set}-${scenario//\//-}" "${set}" client --command "${driver}" --scenario "${scenario}" \
      --spec-version "${set}" --force
  done
}

main() {
  rm -rf "${results}" && mkdir -p "${results}"
  local started=${SECONDS}
  local port=39100
  for set in "${kSets[@]}"; do
    run_server_leg "server-${set}" $((port++)) "${build_dir}/bin/aurite-example-conformance-server"
  done
  run_server_leg "weather-2025-11-25" $((port++)) "${build_dir}/bin/aurite-example-weather-server"
  for set in "${kSets[@]}"; do run_client_leg "${set}"; done
  echo "results in ${results} ($((SECONDS - started)) s); of the failures, ${expected_failures} are expected" \
       "(tests/conformance/expected-failures-*.yaml)"
  echo "${passed} passed, ${failed} failed"
  exit "${status}"
}

if [[ -z "${AURITE_CONFORMANCE_NETNS:-}" ]]; then
  install_suite  # needs the network
  build_servers
  # The run has only a loopback interface of its own.
  exec unshare --net env AURITE_CONFORMANCE_NETNS=1 bash -c 'ip link set lo up && exec bash "$0"' "$0"
fi
main
