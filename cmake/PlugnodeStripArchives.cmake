# A CPack pre-build script (PlugnodePackage.cmake): strips the debug sections from the static libraries in
# the staging directory, as dh_strip does for Debian's -dev packages; CPACK_STRIP_FILES strips executables
# only, and the debug info of CAF's templates makes the libraries ten times their code's size.
file(GLOB_RECURSE archives "${CPACK_TEMPORARY_DIRECTORY}/*.a")
foreach(archive IN LISTS archives)
  execute_process(COMMAND strip --strip-debug "${archive}" COMMAND_ERROR_IS_FATAL ANY)
endforeach()
