#!/usr/bin/env bash
# Installs the reference MCP servers the mcp tests run against into a cache folder.
#
#   scripts/fetch-mcp-servers.sh [DIR]
#
# DIR defaults to $AURITE_NPM_DIR, else build/npm-cache-dir under the repository.
# Idempotent: when the pinned version is already installed it does nothing, so CI can
# call it before every test run. The tests find the server through the same default
# (or $AURITE_NPM_DIR), so call it with the same DIR the tests will see.
set -euo pipefail

readonly kPackage="@modelcontextprotocol/server-everything"
readonly kVersion="2026.8.31"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${1:-${AURITE_NPM_DIR:-${repo_root}/build/npm-cache-dir}}"
mkdir -p "${dir}"
dir="$(cd "${dir}" && pwd)"

installed="${dir}/node_modules/${kPackage}/package.json"
if [[ -f "${installed}" ]] && grep -q "\"version\": \"${kVersion}\"" "${installed}"; then
  echo "${kPackage}@${kVersion} already in ${dir}"
  exit 0
fi

command -v npm >/dev/null || { echo "error: npm is not on PATH" >&2; exit 1; }
# A package.json of our own keeps npm from walking up to an unrelated project.
[[ -f "${dir}/package.json" ]] || echo '{"name":"aurite-mcp-test-servers","private":true}' > "${dir}/package.json"
(cd "${dir}" && npm install --no-audit --no-fund "${kPackage}@${kVersion}")
test -f "${dir}/node_modules/${kPackage}/dist/index.js" ||
  { echo "error: ${kPackage} installed but dist/index.js is missing in ${dir}" >&2; exit 1; }
echo "${kPackage}@${kVersion} installed in ${dir}"
