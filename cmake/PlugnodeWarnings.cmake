# Compiler flags every plugnode target shares: warnings on (and errors with PLUGNODE_WERROR), and the
# sanitizer build (PLUGNODE_SANITIZE) that the whole test suite must pass.
add_library(plugnode_build_flags INTERFACE)
# -Wshadow=local is gcc's; clang (the fuzz build) has only the stricter -Wshadow.
target_compile_options(plugnode_build_flags INTERFACE -Wall -Wextra -Wpedantic
  $<$<CXX_COMPILER_ID:GNU>:-Wshadow=local> $<$<BOOL:${PLUGNODE_WERROR}>:-Werror>)
if(PLUGNODE_SANITIZE)
  target_compile_options(plugnode_build_flags INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(plugnode_build_flags INTERFACE -fsanitize=address,undefined)
endif()
# The ThreadSanitizer build (./plugnode.sh test-tsan, build-tsan/): the HTTP server's threads. CAF and the
# other Debian libraries are not instrumented; test/tsan.supp says what is suppressed there and why.
if(PLUGNODE_TSAN)
  target_compile_options(plugnode_build_flags INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(plugnode_build_flags INTERFACE -fsanitize=thread)
endif()
