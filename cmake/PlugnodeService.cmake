# PlugnodeService: a service of your own as a program, a systemd unit, a defaults file and a Debian package,
# made from the same templates as plugnode's own (deploy/debian/). Installed with plugnode-dev beside the
# CMake package, which includes it, so after find_package(plugnode 0.2):
#
#   plugnode_add_service(NAME counter SOURCES main.cpp LIBRARIES counter_service
#                        DESCRIPTION "counters as sharded entities")
#
# builds the program `counter` linked to plugnode::service, installs it to bin/ (component `service`), and
# /lib/systemd/system/counter.service and /etc/default/counter (mode 0600: the cookie may go there) in the
# component `system`, which a plain `cmake --install --prefix DIR` leaves out (it never writes to /etc).
# `cpack` in the build directory then makes counter_<project version>_<arch>.deb holding all three, its
# Depends from the program's shared libraries (dpkg-shlibdeps, from dpkg-dev). One service per project: the
# function configures CPack for it.

include(GNUInstallDirs)

# The templates: beside this file when installed, deploy/debian/ of plugnode's checkout in its own build.
if(EXISTS ${CMAKE_CURRENT_LIST_DIR}/debian/service.in)
  set(PLUGNODE_SERVICE_TEMPLATES ${CMAKE_CURRENT_LIST_DIR}/debian)
else()
  set(PLUGNODE_SERVICE_TEMPLATES ${CMAKE_CURRENT_LIST_DIR}/../deploy/debian)
endif()

# plugnode_service_files(NAME DESCRIPTION DOCUMENTATION OUT_DIR): NAME.service, default and conffiles for a
# service whose program is /usr/bin/NAME, in OUT_DIR.
function(plugnode_service_files name description documentation out_dir)
  set(PLUGNODE_SERVICE_NAME ${name})
  set(PLUGNODE_SERVICE_DESCRIPTION ${description})
  set(PLUGNODE_SERVICE_DOCUMENTATION ${documentation})
  set(PLUGNODE_SERVICE_PROGRAM /usr/bin/${name})
  configure_file(${PLUGNODE_SERVICE_TEMPLATES}/service.in ${out_dir}/${name}.service @ONLY)
  configure_file(${PLUGNODE_SERVICE_TEMPLATES}/default.in ${out_dir}/default @ONLY)
  configure_file(${PLUGNODE_SERVICE_TEMPLATES}/conffiles.in ${out_dir}/conffiles @ONLY)
endfunction()

# plugnode_install_service_files(NAME DIR COMPONENT): the unit and the defaults file of plugnode_service_files
# at their absolute places, in COMPONENT, left out of a plain install.
function(plugnode_install_service_files name dir component)
  install(FILES ${dir}/${name}.service DESTINATION /lib/systemd/system COMPONENT ${component} EXCLUDE_FROM_ALL)
  install(FILES ${dir}/default DESTINATION /etc/default RENAME ${name}
    PERMISSIONS OWNER_READ OWNER_WRITE COMPONENT ${component} EXCLUDE_FROM_ALL)
endfunction()

# plugnode_add_service(NAME name SOURCES file... [LIBRARIES target...] [DESCRIPTION text]
#                      [DOCUMENTATION uri] [CONTACT "name <mail>"])
# DOCUMENTATION is the unit's Documentation= (none by default).
function(plugnode_add_service)
  cmake_parse_arguments(PARSE_ARGV 0 arg "" "NAME;DESCRIPTION;DOCUMENTATION;CONTACT" "SOURCES;LIBRARIES")
  if(NOT arg_NAME OR NOT arg_SOURCES)
    message(FATAL_ERROR "plugnode_add_service: NAME and SOURCES are required")
  endif()
  if(NOT arg_DESCRIPTION)
    set(arg_DESCRIPTION "${arg_NAME}: a clustered HTTP service on plugnode")
  endif()
  if(NOT arg_CONTACT)
    set(arg_CONTACT "${arg_NAME} maintainers <root@localhost>")
  endif()
  set(name ${arg_NAME})

  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE plugnode::service ${arg_LIBRARIES})
  install(TARGETS ${name} RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT service)

  set(dir ${CMAKE_CURRENT_BINARY_DIR}/${name}-debian)
  plugnode_service_files(${name} "${arg_DESCRIPTION}" "${arg_DOCUMENTATION}" ${dir})
  plugnode_install_service_files(${name} ${dir} system)

  # cpack's Depends come from dpkg-shlibdeps (dpkg-dev), which CPack runs only where `file` is installed.
  find_program(PLUGNODE_DPKG_SHLIBDEPS dpkg-shlibdeps)
  find_program(PLUGNODE_FILE file)
  if(NOT PLUGNODE_DPKG_SHLIBDEPS OR NOT PLUGNODE_FILE)
    message(WARNING "plugnode_add_service: cpack needs dpkg-shlibdeps and file to make ${name}'s .deb: "
      "apt-get install dpkg-dev file")
  endif()

  # The package: both components in one .deb, the maintainer scripts plugnode's own use (daemon-reload).
  set(CPACK_GENERATOR DEB)
  set(CPACK_PACKAGE_NAME ${name})
  set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
  set(CPACK_PACKAGE_CONTACT "${arg_CONTACT}")
  set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${arg_DESCRIPTION}")
  set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
  set(CPACK_STRIP_FILES ON)
  set(CPACK_DEB_COMPONENT_INSTALL ON)
  set(CPACK_COMPONENTS_ALL service system)
  set(CPACK_COMPONENTS_GROUPING ALL_COMPONENTS_IN_ONE)
  set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
  set(CPACK_DEBIAN_PACKAGE_SECTION net)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${dir}/conffiles ${PLUGNODE_SERVICE_TEMPLATES}/postinst
    ${PLUGNODE_SERVICE_TEMPLATES}/postrm)
  include(CPack)
endfunction()
