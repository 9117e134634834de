# Every dependency is a Debian 12 package (scripts/install-deps.sh installs them).
find_package(Threads REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CLI11 REQUIRED)
find_package(CURL 7.85 REQUIRED)  # libcurl4-openssl-dev
find_package(PkgConfig REQUIRED)
# Debian's cpp-httplib is a compiled library with TLS (OpenSSL), zlib and brotli; the
# servers we serve (the API, MCP over HTTP) and the tests' local servers use it.
pkg_check_modules(CPP_HTTPLIB REQUIRED IMPORTED_TARGET GLOBAL cpp-httplib)
# Aurite 0.4 projects: the .aurite file is TOML (toml++), component files may be YAML.
pkg_check_modules(TOMLPLUSPLUS REQUIRED IMPORTED_TARGET GLOBAL tomlplusplus)
pkg_check_modules(YAML_CPP REQUIRED IMPORTED_TARGET GLOBAL yaml-cpp)

# valijson (header-only JSON Schema validation): the headers scripts/install-deps.sh
# unpacked into build/third_party/valijson, else a system copy (libvalijson-dev). An
# imported target, so its headers are included as SYSTEM and their warnings are not ours.
find_path(AURITE_VALIJSON_INCLUDE_DIR valijson/validator.hpp
  HINTS ${PROJECT_SOURCE_DIR}/build/third_party/valijson/usr/include
  DOC "Folder holding valijson/validator.hpp")
if(NOT AURITE_VALIJSON_INCLUDE_DIR)
  message(FATAL_ERROR "valijson's headers are missing: run scripts/install-deps.sh (it unpacks them into "
                      "build/third_party/valijson), or set AURITE_VALIJSON_INCLUDE_DIR")
endif()
add_library(aurite_valijson INTERFACE IMPORTED)
set_target_properties(aurite_valijson PROPERTIES INTERFACE_INCLUDE_DIRECTORIES ${AURITE_VALIJSON_INCLUDE_DIR})
