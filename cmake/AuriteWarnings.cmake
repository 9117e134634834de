# Compiler flags every target of ours gets; third-party headers are included as SYSTEM.
add_library(aurite_build_flags INTERFACE)
target_compile_options(aurite_build_flags INTERFACE -Wall -Wextra -Wpedantic)
if(AURITE_WERROR)
  target_compile_options(aurite_build_flags INTERFACE -Werror)
endif()

if(AURITE_SANITIZE)
  # Applied globally so the tests, the CLI and every example link the same runtime.
  set(aurite_sanitize_flags -fsanitize=address,undefined -fno-omit-frame-pointer
                            -fno-sanitize-recover=undefined)
  add_compile_options(${aurite_sanitize_flags})
  add_link_options(${aurite_sanitize_flags})
endif()
