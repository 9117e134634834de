#!/usr/bin/env bash
# package.sh: builds the release preset and, with CPack, the Debian package
# build/release/aurite_<version>_<arch>.deb (cmake/AuritePackage.cmake): the aurite
# program and its manual page, the example MCP servers and plugin, libaurite with its
# headers and CMake package files, and the example project in
# /usr/share/aurite/examples/demo. The version is the project's (CMakeLists.txt), the
# one `aurite --version` prints. Then checks the package (tests/package/check_package.sh).
# Install it (as root) with: apt-get install ./build/release/aurite_<version>_<arch>.deb
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh demo
bash scripts/build.sh release
version=$(build/release/bin/aurite --version | sed -n 's/^aurite //p')
[ -n "$version" ] || { echo "package.sh: build/release/bin/aurite --version printed no version" >&2; exit 1; }
deb=build/release/aurite_${version}_$(dpkg --print-architecture).deb
rm -f "$deb"
cpack --config build/release/CPackConfig.cmake -B build/release >build/release/cpack.log 2>&1 ||
  { cat build/release/cpack.log >&2; exit 1; }
bash tests/package/check_package.sh "$deb" "$version"
echo "package.sh: $deb"
echo "install it (as root) with: apt-get install ./$deb"
