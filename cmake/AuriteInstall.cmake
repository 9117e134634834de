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
