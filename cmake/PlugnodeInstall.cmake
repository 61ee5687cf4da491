# Install and export: `cmake --install` puts the plugnode binary (component bin), and the public headers, the
# static libraries, the CMake package and the pkg-config file (component dev) under the prefix, so a service
# in its own repository says
#   find_package(plugnode 0.2 REQUIRED)
#   plugnode_add_service(NAME app SOURCES main.cpp)         (PlugnodeService.cmake; or link plugnode::service)
# or `pkg-config --cflags --libs plugnode`. The package config finds the dependencies again with
# find_dependency, through the Find modules it ships (Debian's CAF, cpp-httplib and ldns have no CMake
# package of their own). The libraries go to the multiarch directory when the prefix is /usr
# (GNUInstallDirs: lib/x86_64-linux-gnu on Debian), as the packaging build is configured (plugnode.sh).
# Packaging: PlugnodePackage.cmake.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(PLUGNODE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/plugnode)

# The public API: what a service's code includes (app/service.hpp, app/testing.hpp, the plugs, the runtime's
# calls, groups, pub/sub and entities, the Erlang calls and terms) and every header those include. The rest
# of include/ is shared between plugnode's own layers only (the transport, the handshake, sockets, discovery's
# DNS client, the term codec, the binary's own routes) and stays out of the package. The test "package: the
# dev component installs the public headers only" compiles them all from an installed prefix, so a header
# added to this closure without being listed fails there.
set(PLUGNODE_PUBLIC_HEADERS
  app/include/plugnode/app/cluster_state_metrics.hpp
  app/include/plugnode/app/config.hpp
  app/include/plugnode/app/config_values.hpp
  app/include/plugnode/app/dist_metrics.hpp
  app/include/plugnode/app/message_types.hpp
  app/include/plugnode/app/node_routes.hpp
  app/include/plugnode/app/node_wiring.hpp
  app/include/plugnode/app/process_metrics.hpp
  app/include/plugnode/app/service.hpp
  app/include/plugnode/app/service_setting.hpp
  app/include/plugnode/app/shell_extension.hpp
  app/include/plugnode/app/testing.hpp
  discovery/include/plugnode/discovery/resolver_config.hpp
  discovery/include/plugnode/discovery/strategy.hpp
  runtime/erlang/include/plugnode/erlang/call.hpp
  runtime/erlang/include/plugnode/erlang/protocol.hpp
  runtime/erlang/include/plugnode/erlang/term.hpp
  runtime/erlang/include/plugnode/erlang/term_format.hpp
  plugs/include/plugnode/plugs/ask.hpp
  plugs/include/plugnode/plugs/basic_auth.hpp
  plugs/include/plugnode/plugs/body_file.hpp
  plugs/include/plugnode/plugs/conn.hpp
  plugs/include/plugnode/plugs/error_handler.hpp
  plugs/include/plugnode/plugs/head.hpp
  plugs/include/plugnode/plugs/http_fields.hpp
  plugs/include/plugnode/plugs/json.hpp
  plugs/include/plugnode/plugs/logger.hpp
  plugs/include/plugnode/plugs/metrics.hpp
  plugs/include/plugnode/plugs/parsers.hpp
  plugs/include/plugnode/plugs/pipeline.hpp
  plugs/include/plugnode/plugs/plug.hpp
  plugs/include/plugnode/plugs/read_body.hpp
  plugs/include/plugnode/plugs/request_id.hpp
  plugs/include/plugnode/plugs/response_stream.hpp
  plugs/include/plugnode/plugs/router.hpp
  plugs/include/plugnode/plugs/testing.hpp
  runtime/include/plugnode/runtime/agent_protocol.hpp
  runtime/include/plugnode/runtime/ask.hpp
  runtime/include/plugnode/runtime/dist_send.hpp
  runtime/include/plugnode/runtime/entities.hpp
  runtime/include/plugnode/runtime/entity_type.hpp
  runtime/include/plugnode/runtime/error_text.hpp
  runtime/include/plugnode/runtime/groups.hpp
  runtime/include/plugnode/runtime/host_resolver.hpp
  runtime/include/plugnode/runtime/log.hpp
  runtime/include/plugnode/runtime/node.hpp
  runtime/include/plugnode/runtime/node_name.hpp
  runtime/include/plugnode/runtime/peer_load.hpp
  runtime/include/plugnode/runtime/protocol_side.hpp
  runtime/include/plugnode/runtime/pubsub.hpp
  runtime/include/plugnode/runtime/remote_call.hpp
  runtime/include/plugnode/runtime/supervisor.hpp
  runtime/include/plugnode/runtime/tls.hpp)
foreach(header IN LISTS PLUGNODE_PUBLIC_HEADERS)
  string(REGEX REPLACE "^.*/include/" "" installed ${header})
  get_filename_component(directory ${installed} DIRECTORY)
  install(FILES ${PROJECT_SOURCE_DIR}/${header} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/${directory}
    COMPONENT dev)
endforeach()

# plugnode::runtime, plugnode::erlang, plugnode::plugs, plugnode::discovery, and plugnode::service (the app
# layer: commands, configuration, wiring, service.hpp). plugnode_build_flags goes along because the static
# libraries name it as a link dependency; it carries link options only in the sanitizer build, compile
# options never leave.
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
# erl_interface's libei.a goes into the installed libplugnode_erlang.a: Debian ships it only in erlang-dev,
# which depends on erlang-base (16 MB, a whole Erlang runtime), and it is static anyway, so the objects the
# Erlang side calls travel with it. A service's build then needs no Erlang package at all
# (docs/dependencies.md, "The Erlang side").
install(CODE "
  set(archive \"\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}/libplugnode_erlang.a\")
  execute_process(COMMAND \"${CMAKE_AR}\" t \"\${archive}\" OUTPUT_VARIABLE members COMMAND_ERROR_IS_FATAL ANY)
  if(NOT members MATCHES \"ei_connect[.]o\") # an archive left from an earlier install has them already
    file(WRITE \"\${archive}.mri\"
      \"create \${archive}.bundled\\naddlib \${archive}\\naddlib ${ERL_INTERFACE_LIBRARY}\\nsave\\nend\\n\")
    execute_process(COMMAND \"${CMAKE_AR}\" -M INPUT_FILE \"\${archive}.mri\" COMMAND_ERROR_IS_FATAL ANY)
    file(RENAME \"\${archive}.bundled\" \"\${archive}\")
    file(REMOVE \"\${archive}.mri\")
  endif()
" COMPONENT dev)
install(EXPORT plugnodeTargets NAMESPACE plugnode:: DESTINATION ${PLUGNODE_CMAKE_DIR} COMPONENT dev)

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/plugnodeConfig.cmake.in
  ${PROJECT_BINARY_DIR}/plugnodeConfig.cmake INSTALL_DESTINATION ${PLUGNODE_CMAKE_DIR})
# 0.x: a minor version may change the API, so 0.2 accepts 0.2.y only.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/plugnodeConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/plugnodeConfig.cmake ${PROJECT_BINARY_DIR}/plugnodeConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/PlugnodeService.cmake DESTINATION ${PLUGNODE_CMAKE_DIR} COMPONENT dev)
install(FILES ${PROJECT_SOURCE_DIR}/cmake/FindCAF.cmake ${PROJECT_SOURCE_DIR}/cmake/FindHttplib.cmake
  ${PROJECT_SOURCE_DIR}/cmake/FindLDNS.cmake DESTINATION ${PLUGNODE_CMAKE_DIR}/modules COMPONENT dev)
# The templates every service's unit and defaults file are made from (plugnode's own included).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/deploy/debian/ DESTINATION ${PLUGNODE_CMAKE_DIR}/debian
  USE_SOURCE_PERMISSIONS COMPONENT dev)

# pkg-config: the same libraries in link order, and the dependencies' own .pc files (CAF has none). A
# sanitizer build's libraries need the sanitizers' runtimes where they are linked: its link options go along,
# as plugnode_build_flags carries them to CMake users.
get_target_property(pc_link_options plugnode_build_flags INTERFACE_LINK_OPTIONS)
set(PLUGNODE_PC_LINK_OPTIONS "")
if(pc_link_options)
  list(JOIN pc_link_options " " PLUGNODE_PC_LINK_OPTIONS)
  string(PREPEND PLUGNODE_PC_LINK_OPTIONS " ")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/plugnode.pc.in ${PROJECT_BINARY_DIR}/plugnode.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/plugnode.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

install(TARGETS plugnode RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT bin)
