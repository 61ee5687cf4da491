# Fails when a C++ source under the layers or test/ differs from what clang-format would make of it.
file(GLOB_RECURSE sources
  ${SOURCE_DIR}/runtime/*.[ch]pp ${SOURCE_DIR}/plugs/*.[ch]pp ${SOURCE_DIR}/discovery/*.[ch]pp
  ${SOURCE_DIR}/app/*.[ch]pp ${SOURCE_DIR}/test/*.[ch]pp ${SOURCE_DIR}/examples/*.[ch]pp)
execute_process(COMMAND ${CLANG_FORMAT} --dry-run -Werror ${sources} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "clang-format: the files above need formatting (clang-format -i FILE)")
endif()
