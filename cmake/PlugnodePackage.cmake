# Debian packages with CPack (`./plugnode.sh package`, or `cpack -G DEB` in a build directory):
#   plugnode       the binary, the docs, the systemd unit plugnode.service reading /etc/default/plugnode
#   plugnode-dev   headers, static libraries and the CMake package of PlugnodeInstall.cmake
# The binary's library dependencies come from dpkg-shlibdeps; plugnode-dev depends on the -dev packages its
# CMake package finds again. The system files have absolute destinations, so they are in a component a
# plain `cmake --install` leaves out (EXCLUDE_FROM_ALL): installing to a prefix never writes to /etc.
include(GNUInstallDirs)

# The docs keep the checkout's layout (README.md beside docs/), so the README's docs/... links work there too.
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT bin)
install(FILES ${PROJECT_SOURCE_DIR}/docs/architecture.md ${PROJECT_SOURCE_DIR}/docs/operations.md
  ${PROJECT_SOURCE_DIR}/docs/guide.md DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs COMPONENT bin)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/debian/plugnode.service DESTINATION /lib/systemd/system
  COMPONENT system EXCLUDE_FROM_ALL)
# Root-only: it is where the cookie goes.
install(FILES ${PROJECT_SOURCE_DIR}/deploy/debian/default DESTINATION /etc/default RENAME plugnode
  PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT system EXCLUDE_FROM_ALL)

set(CPACK_PACKAGE_NAME plugnode)
set(CPACK_PACKAGE_VENDOR plugnode)
set(CPACK_PACKAGE_CONTACT "plugnode maintainers <plugnode@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "clustered HTTP services on CAF actors (Plug + distributed Erlang in C++)")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/PlugnodeStripArchives.cmake)
set(CPACK_GENERATOR DEB)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL bin system dev)
set(CPACK_COMPONENT_BIN_GROUP runtime)
set(CPACK_COMPONENT_SYSTEM_GROUP runtime)
set(CPACK_COMPONENT_DEV_GROUP dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME plugnode)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "The plugnode binary (foreground, console, remote_console, rpc, ping,
stop, describe ...), its docs, and the systemd unit plugnode.service with its environment in
/etc/default/plugnode.")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME plugnode-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION "Headers, static libraries and the CMake package of plugnode:
find_package(plugnode 0.2) and plugnode::service.")
string(JOIN ", " CPACK_DEBIAN_DEV_PACKAGE_DEPENDS libcaf-dev libssl-dev libcpp-httplib-dev libldns-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev prometheus-cpp-dev libcli11-dev libedit-dev erlang-dev pkg-config)

include(CPack)
