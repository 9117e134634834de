# Compiler flags every target of ours gets; third-party headers are included as SYSTEM.
add_library(aurite_build_flags INTERFACE)
target_compile_options(aurite_build_flags INTERFACE -Wall -Wextra -Wpedantic)
if(AURITE_WERROR)
  target_compile_options(aurite_build_flags INTERFACE -Werror)
endif()

# Applied globally so the tests, the CLI and every example link the same runtime: a test
# that starts `aurite serve` or an MCP server then checks that child too.
# AURITE_SANITIZE_FLAGS is what a project linking our installed library must add.
set(AURITE_SANITIZE_FLAGS "")
string(TOUPPER "${AURITE_SANITIZE}" aurite_sanitize)
if(aurite_sanitize STREQUAL "THREAD")
  set(AURITE_SANITIZE_FLAGS -fsanitize=thread)
  set(aurite_sanitize_flags ${AURITE_SANITIZE_FLAGS} -fno-omit-frame-pointer)
elseif(aurite_sanitize MATCHES "^(ON|YES|TRUE|Y|1|ADDRESS)$")
  # GCC leaves float-cast-overflow out of "undefined"; a number from outside (JSON, a
  # header) converted to an integer out of range is exactly the bug to catch.
  set(AURITE_SANITIZE_FLAGS -fsanitize=address,undefined,float-cast-overflow)
  set(aurite_sanitize_flags ${AURITE_SANITIZE_FLAGS} -fno-omit-frame-pointer
      -fno-sanitize-recover=undefined,float-cast-overflow)
elseif(AURITE_SANITIZE)
  message(FATAL_ERROR "AURITE_SANITIZE is '${AURITE_SANITIZE}': use OFF, ON, address or thread")
endif()
if(AURITE_SANITIZE_FLAGS)
  add_compile_options(${aurite_sanitize_flags})
  add_link_options(${aurite_sanitize_flags})
endif()

