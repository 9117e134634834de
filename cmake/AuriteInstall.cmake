# `cmake --install` puts libaurite, its public headers, the aurite CLI and a package
# config in place, so another project can find_package(aurite) and link aurite::aurite.
include(CMakePackageConfigHelpers)

install(TARGETS aurite aurite_build_flags EXPORT auriteTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS aurite_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/aurite DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT auriteTargets NAMESPACE aurite::
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aurite)

configure_package_config_file(cmake/auriteConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/auriteConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aurite)
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/auriteConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/auriteConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/auriteConfigVersion.cmake
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/aurite)

# The manual page, the example project and what it runs: the example servers in
# <prefix>/libexec/aurite and the example plugin in <prefix>/<libdir>/aurite/plugins, where
# an installed aurite looks for a bare command and a plugin after PATH and
# AURITE_PLUGIN_PATH (src/mcp/program_lookup.hpp, src/execution/plugin_library.hpp).
install(FILES ${PROJECT_BINARY_DIR}/man/aurite.1.gz DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${PROJECT_SOURCE_DIR}/examples/demo/aurite_config.json
        DESTINATION ${CMAKE_INSTALL_DATADIR}/aurite/examples/demo)
if(TARGET aurite_example_weather_server)
  install(TARGETS aurite_example_weather_server aurite_example_planning_server
          RUNTIME DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/aurite)
  install(TARGETS aurite_example_workflow LIBRARY DESTINATION ${AURITE_PLUGIN_INSTALL_DIR})
endif()

include(cmake/AuritePackage.cmake)
