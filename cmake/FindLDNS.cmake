# Finds ldns (Debian's libldns-dev). Debian ships a pkg-config file; the module prefers it and falls back to a
# plain header/library search. Defines the imported target LDNS::ldns.
include(FindPackageHandleStandardArgs)
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(PC_LDNS QUIET ldns)
endif()

find_path(LDNS_INCLUDE_DIR ldns/ldns.h HINTS ${PC_LDNS_INCLUDE_DIRS})
find_library(LDNS_LIBRARY NAMES ldns HINTS ${PC_LDNS_LIBRARY_DIRS})
set(LDNS_VERSION "${PC_LDNS_VERSION}")

find_package_handle_standard_args(LDNS REQUIRED_VARS LDNS_INCLUDE_DIR LDNS_LIBRARY VERSION_VAR LDNS_VERSION)

if(LDNS_FOUND AND NOT TARGET LDNS::ldns)
  add_library(LDNS::ldns UNKNOWN IMPORTED)
  set_target_properties(LDNS::ldns PROPERTIES
    IMPORTED_LOCATION "${LDNS_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${LDNS_INCLUDE_DIR}")
endif()
mark_as_advanced(LDNS_INCLUDE_DIR LDNS_LIBRARY)
