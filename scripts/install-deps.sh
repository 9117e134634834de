#!/usr/bin/env bash
# install-deps.sh [demo|test]: installs what building and running aurite needs from
# Debian 12 packages.
#
#   demo  the compiler, CMake and the libraries aurite links: enough to build the release
#         preset, run the example project and make the Debian package (scripts/demo.sh,
#         scripts/package.sh)
#   test  (default) all of demo, plus what the tests need: GoogleTest, Google Benchmark,
#         a PostgreSQL server, python3 with the Prometheus client's text parser, procps,
#         clang with its libFuzzer runtime, Node.js and npm (scripts/test.sh)
#
# valijson (JSON Schema validation, header-only) is not installed as a package: Debian's
# libvalijson-dev depends on every JSON library valijson has an adapter for (Qt 5, Poco
# and through it the MariaDB client, yaml-cpp, jsoncpp, rapidjson, picojson; about 150
# packages), and aurite uses only its nlohmann-json adapter. Its .deb is fetched with
# `apt-get download` (checked against the signed package lists like any apt download)
# and unpacked with `dpkg-deb -x` into build/third_party/valijson, where CMake finds it
# (cmake/AuriteDependencies.cmake). The unpacked copy is kept, so a second run needs no
# network. A libvalijson-dev installed by other means is used as well.
#
# Idempotent: packages already present are skipped, so a second run is quick.
set -euo pipefail
set_name=${1:-test}

demo_packages=(
  build-essential cmake ninja-build ccache pkg-config
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libcpp-httplib-dev libcurl4-openssl-dev libssl-dev zlib1g-dev libbrotli-dev
  libpq-dev libsqlite3-dev
  libtomlplusplus-dev libyaml-cpp-dev  # Aurite 0.4 projects: the .aurite file (TOML), YAML component files
)
test_packages=(
  git sqlite3 libgtest-dev libgmock-dev libbenchmark-dev openssl iproute2
  postgresql procps python3
  python3-prometheus-client  # its text-format parser reads what GET /metrics serves
  clang libclang-rt-14-dev  # the fuzz preset: clang and its libFuzzer runtime
)
case "$set_name" in
  demo) packages=("${demo_packages[@]}") ;;
  test) packages=("${demo_packages[@]}" "${test_packages[@]}") ;;
  *) echo "usage: install-deps.sh [demo|test] (not '$set_name')" >&2; exit 2 ;;
esac

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
valijson_dir="$repo_root/build/third_party/valijson"
valijson_header=usr/include/valijson/validator.hpp

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js with npm runs the reference MCP servers the tests talk to. Some images ship
# a Node.js build that bundles npm and conflicts with Debian's npm package: use it.
if [ "$set_name" = test ] && ! command -v npm >/dev/null; then missing+=(nodejs npm); fi
need_valijson=true
if [ -f "$valijson_dir/$valijson_header" ] || [ -f "/$valijson_header" ]; then need_valijson=false; fi
have_lists=false
compgen -G "/var/lib/apt/lists/*_Packages*" >/dev/null && have_lists=true

as_root=()
if [ "$(id -u)" -ne 0 ] && { [ ${#missing[@]} -gt 0 ] || { $need_valijson && ! $have_lists; }; }; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]:-valijson}" >&2; exit 1; }
  as_root=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
updated=false
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  "${as_root[@]}" apt-get update -qq && updated=true
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
if $need_valijson; then
  echo "install-deps: unpacking valijson's headers into ${valijson_dir#"$repo_root"/}"
  # A fresh image has no package lists to download from.
  $updated || $have_lists || "${as_root[@]}" apt-get update -qq
  work=$(mktemp -d)
  trap 'rm -rf "$work"' EXIT
  # A folder the unprivileged _apt user may write to: apt downloads as that user.
  chmod 777 "$work"
  (cd "$work" && apt-get download -qq libvalijson-dev)
  rm -rf "$valijson_dir.tmp" && mkdir -p "$valijson_dir.tmp"
  dpkg-deb -x "$work"/libvalijson-dev_*.deb "$valijson_dir.tmp"
  test -f "$valijson_dir.tmp/$valijson_header" || { echo "install-deps: libvalijson-dev has no $valijson_header" >&2; exit 1; }
  rm -rf "$valijson_dir" && mv "$valijson_dir.tmp" "$valijson_dir"
fi
echo "install-deps: the ${#packages[@]} packages of '$set_name' and valijson's headers are present"
