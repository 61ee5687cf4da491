# Debian packages with CPack (`./plugnode.sh package`, or `cpack -G DEB` in a build directory configured with
# CMAKE_INSTALL_PREFIX=/usr, so that the libraries land in the multiarch directory):
#   plugnode       the binary, the docs, the systemd unit plugnode.service reading /etc/default/plugnode
#   plugnode-dev   public headers, static libraries, the CMake package with plugnode_add_service, the
#                  pkg-config file, and the examples
# The binary's library dependencies come from dpkg-shlibdeps; plugnode-dev depends on the -dev packages its
# CMake package and plugnode.pc find again. The system files have absolute destinations, so they are in a
# component a plain `cmake --install` leaves out (EXCLUDE_FROM_ALL): installing to a prefix never writes to
# /etc.
include(GNUInstallDirs)
include(PlugnodeService)

# The docs keep the checkout's layout (README.md beside docs/), so the README's docs/... links and the docs'
# mentions of each other resolve there too.
install(FILES ${PROJECT_SOURCE_DIR}/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR} COMPONENT bin)
file(GLOB plugnode_docs ${PROJECT_SOURCE_DIR}/docs/*.md)
install(FILES ${plugnode_docs} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs COMPONENT bin)
# The examples, for a service's authors: the guide's "Next" names them at this place.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/examples/ DESTINATION ${CMAKE_INSTALL_DATAROOTDIR}/doc/plugnode-dev/examples
  COMPONENT dev)
# plugnode's own unit and defaults file (root-only: the cookie may go there), from the templates every
# service's are made from.
plugnode_service_files(plugnode "plugnode node: clustered HTTP service on CAF actors"
  "file:/usr/share/doc/plugnode/README.md" ${PROJECT_BINARY_DIR}/debian)
plugnode_install_service_files(plugnode ${PROJECT_BINARY_DIR}/debian system)

set(CPACK_PACKAGE_NAME plugnode)
set(CPACK_PACKAGE_VENDOR plugnode)
set(CPACK_PACKAGE_CONTACT "plugnode maintainers <plugnode@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "clustered HTTP services on CAF actors (Plug + distributed Erlang in C++)")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PRE_BUILD_SCRIPTS ${PROJECT_SOURCE_DIR}/cmake/PlugnodeStripArchives.cmake)
set(CPACK_PLUGNODE_CONFIGURED_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_PLUGNODE_LIBDIR ${CMAKE_INSTALL_LIBDIR})
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_SOURCE_DIR}/cmake/PlugnodePackageCheck.cmake)
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
/etc/default/plugnode and its cookie as the credential /etc/credstore/plugnode-cookie.")
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_CONTROL_EXTRA ${PROJECT_BINARY_DIR}/debian/conffiles
  ${PROJECT_SOURCE_DIR}/deploy/debian/postinst ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME plugnode-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION "Public headers, static libraries, the CMake package and the pkg-config
file of plugnode: find_package(plugnode 0.2) with plugnode_add_service (a service's program, systemd unit
and .deb) or plugnode::service, or pkg-config plugnode; the examples in /usr/share/doc/plugnode-dev.")
# No Erlang package: the Erlang side's archive carries erl_interface's objects (PlugnodeInstall.cmake).
string(JOIN ", " CPACK_DEBIAN_DEV_PACKAGE_DEPENDS libcaf-dev libssl-dev libcpp-httplib-dev libldns-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev prometheus-cpp-dev libcli11-dev libedit-dev libsystemd-dev
  pkg-config)
# What cpack needs for a service's package (plugnode_add_service): dpkg-shlibdeps and file.
set(CPACK_DEBIAN_DEV_PACKAGE_RECOMMENDS "dpkg-dev, file")

include(CPack)
