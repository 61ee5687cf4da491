# Finds erl_interface (Debian's erlang-dev): ei.h and the static libei.a, the library Erlang/OTP ships for
# programs that join a cluster as a node (the distribution handshake, the external term format). Defines the
# imported target ErlInterface::ei. libei.a is the thread-safe build (libei_st.a is not), and needs pthreads.
include(FindPackageHandleStandardArgs)
find_path(ERL_INTERFACE_INCLUDE_DIR ei.h PATHS /usr/lib/erlang/usr/include)
find_library(ERL_INTERFACE_LIBRARY NAMES libei.a ei PATHS /usr/lib/erlang/usr/lib)

find_package_handle_standard_args(ErlInterface REQUIRED_VARS ERL_INTERFACE_INCLUDE_DIR ERL_INTERFACE_LIBRARY)

if(ErlInterface_FOUND AND NOT TARGET ErlInterface::ei)
  find_package(Threads REQUIRED)
  add_library(ErlInterface::ei UNKNOWN IMPORTED)
  set_target_properties(ErlInterface::ei PROPERTIES
    IMPORTED_LOCATION "${ERL_INTERFACE_LIBRARY}"
    INTERFACE_INCLUDE_DIRECTORIES "${ERL_INTERFACE_INCLUDE_DIR}"
    # ei.h declares the thread-local erl_errno of the thread-safe libei.a only under _REENTRANT.
    INTERFACE_COMPILE_DEFINITIONS _REENTRANT
    INTERFACE_LINK_LIBRARIES Threads::Threads)
endif()
mark_as_advanced(ERL_INTERFACE_INCLUDE_DIR ERL_INTERFACE_LIBRARY)
