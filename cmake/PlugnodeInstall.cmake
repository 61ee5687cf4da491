# Install and export: `cmake --install` puts the plugnode binary (component bin), and the headers, the static
# libraries and the CMake package (component dev) under the prefix, so a service in its own repository says
#   find_package(plugnode 0.2 REQUIRED)
#   target_link_libraries(app PRIVATE plugnode::service)
# The package config finds the dependencies again with find_dependency, through the Find modules it ships
# (Debian's CAF, cpp-httplib and ldns have no CMake package of their own). Packaging: PlugnodePackage.cmake.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PLUGNODE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/plugnode)

# plugnode::runtime, plugnode::plugs, plugnode::discovery, and plugnode::service (the app layer: commands,
# configuration, wiring, service.hpp). plugnode_build_flags goes along because the static libraries name it
# as a link dependency; it carries link options only in the sanitizer build, compile options never leave.
set_target_properties(plugnode_runtime PROPERTIES EXPORT_NAME runtime)
set_target_properties(plugnode_erlang PROPERTIES EXPORT_NAME erlang)
set_target_properties(plugnode_plugs PROPERTIES EXPORT_NAME plugs)
set_target_properties(plugnode_discovery PROPERTIES EXPORT_NAME discovery)
set_target_properties(plugnode_app PROPERTIES EXPORT_NAME service)
add_library(plugnode::service ALIAS plugnode_app)
install(TARGETS plugnode_runtime plugnode_erlang plugnode_plugs plugnode_discovery plugnode_app plugnode_build_flags
  EXPORT plugnodeTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
foreach(layer runtime runtime/erlang plugs discovery app)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${layer}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
    COMPONENT dev)
endforeach()
install(EXPORT plugnodeTargets NAMESPACE plugnode:: DESTINATION ${PLUGNODE_CMAKE_DIR} COMPONENT dev)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/plugnodeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/plugnodeConfig.cmake INSTALL_DESTINATION ${PLUGNODE_CMAKE_DIR})
# 0.x: a minor version may change the API, so 0.2 accepts 0.2.y only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/plugnodeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/plugnodeConfig.cmake ${PROJECT_BINARY_DIR}/plugnodeConfigVersion.cmake
  DESTINATION ${PLUGNODE_CMAKE_DIR} COMPONENT dev)
install(FILES ${PROJECT_SOURCE_DIR}/cmake/FindCAF.cmake ${PROJECT_SOURCE_DIR}/cmake/FindHttplib.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindLDNS.cmake ${PROJECT_SOURCE_DIR}/cmake/FindErlInterface.cmake DESTINATION ${PLUGNODE_CMAKE_DIR}/modules COMPONENT dev)

install(TARGETS plugnode RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT bin)
