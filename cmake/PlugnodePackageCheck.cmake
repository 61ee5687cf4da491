# A CPack project config file (PlugnodePackage.cmake), read when cpack starts: refuses to package a build
# configured for another prefix than /usr, whose libraries GNUInstallDirs put in lib/ instead of the
# multiarch directory (./plugnode.sh package configures build-package/ with /usr).
if(NOT CPACK_PLUGNODE_CONFIGURED_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "plugnode: this build is configured for ${CPACK_PLUGNODE_CONFIGURED_PREFIX}, so its "
    "libraries would land in /usr/${CPACK_PLUGNODE_LIBDIR}: package a build configured with "
    "-DCMAKE_INSTALL_PREFIX=/usr (./plugnode.sh package does)")
endif()
