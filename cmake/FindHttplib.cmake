# Finds cpp-httplib as Debian ships it: declarations in /usr/include/httplib.h, the code in a shared library
# built with OpenSSL, zlib and brotli. The pkg-config flags are mandatory, not optional: without
# -DCPPHTTPLIB_OPENSSL_SUPPORT and friends the class layouts differ from the library's (undefined behaviour).
# Defines the imported target Httplib::httplib.
include(FindPackageHandleStandardArgs)
find_package(PkgConfig REQUIRED)
pkg_check_modules(HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
find_package_handle_standard_args(Httplib REQUIRED_VARS HTTPLIB_LIBRARIES VERSION_VAR HTTPLIB_VERSION)
if(Httplib_FOUND AND NOT TARGET Httplib::httplib)
  add_library(Httplib::httplib INTERFACE IMPORTED)
  set_target_properties(Httplib::httplib PROPERTIES INTERFACE_LINK_LIBRARIES PkgConfig::HTTPLIB)
endif()
