# The Debian package (bash scripts/package.sh): everything `cmake --install` puts in
# place, under /usr. The version is the project's; Depends is computed by dpkg-shlibdeps
# from the shared libraries the programs link. The library's headers and CMake files are
# in the package too: building against them needs the -dev packages named in Suggests.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME aurite)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_PACKAGE_DESCRIPTION "aurite runs LLM agents, workflows and custom workflows defined in a JSON
project file (or an Aurite 0.4 project folder), with tools from MCP servers (stdio or HTTP), on Anthropic, OpenAI-compatible or
an offline test model. Configurations and conversation history can be kept in SQLite
or PostgreSQL. Includes an HTTP API (aurite serve), the libaurite C++ library with its
headers and CMake package, and an example project in /usr/share/aurite/examples/demo.")
set(CPACK_PACKAGE_CONTACT "Aurite C++ maintainers <aurite@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # aurite_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_SUGGESTS
    "g++, cmake, nlohmann-json3-dev, libfmt-dev, libspdlog-dev, libcpp-httplib-dev, libcurl4-openssl-dev, libpq-dev, libsqlite3-dev, libtomlplusplus-dev, libyaml-cpp-dev, pkg-config")
set(CPACK_STRIP_FILES ON)
include(CPack)
