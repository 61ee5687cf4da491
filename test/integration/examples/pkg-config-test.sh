#!/usr/bin/env bash
# pkg-config-test.sh BUILD_DIR: installs plugnode's dev component from BUILD_DIR to a temporary prefix and
# checks what a service's build sees there: the public headers only (the binary's own routes, the term codec,
# the transport and the handshake stay out), every installed header compiling from the prefix alone (so the
# list in cmake/PlugnodeInstall.cmake holds everything its headers include), and a service built and linked
# with `pkg-config --cflags --libs plugnode` and nothing else, then run.
set -uo pipefail
build=$(realpath "$1")
# shellcheck source=deploy/test-lib.sh
. "$(dirname "$0")/../../../deploy/test-lib.sh"
work=$(mktemp -d /tmp/plugnode-pkg-config-test.XXXXXX)
trap '[ -n "${KEEP_WORK:-}" ] || rm -rf "$work"' EXIT
prefix=$work/prefix

check "cmake --install the dev component to a temporary prefix" \
  bash -c "cmake --install '$build' --prefix '$prefix' --component dev >'$work/install.log' 2>&1"
for internal in app/greeter.hpp app/hello_routes.hpp app/node_main.hpp erlang/term_codec.hpp erlang/side.hpp \
  plugs/endpoint.hpp plugs/request_parser.hpp runtime/handshake.hpp runtime/net/sockets.hpp \
  discovery/dns_client.hpp; do
  check "the internal header plugnode/$internal is not installed" test ! -e "$prefix/include/plugnode/$internal"
done
pc=$(find "$prefix" -name plugnode.pc)
check "plugnode.pc is installed" test -n "$pc"
export PKG_CONFIG_PATH=${pc%/*}
flags() { pkg-config --define-variable=prefix="$prefix" "$@" plugnode; }
check "pkg-config --modversion plugnode" test "$(flags --modversion)" = "$(sed -n 's/^Version: //p' "$pc")"

# Every installed header in one translation unit, with the prefix's include directory only.
(cd "$prefix/include" && find plugnode -name '*.hpp' | sort | sed 's/.*/#include "&"/') >"$work/all.cpp"
check "the $(wc -l <"$work/all.cpp") installed headers compile from the prefix with pkg-config's flags" \
  bash -c "g++ -std=c++17 -fsyntax-only $(flags --cflags) '$work/all.cpp' 2>'$work/all.log' ||
    { head -20 '$work/all.log'; exit 1; }"

check "a service links with pkg-config --cflags --libs plugnode alone" \
  bash -c "g++ -std=c++17 -O1 '$(dirname "$0")/hello_service.cpp' -o '$work/hello' $(flags --cflags --libs) 2>'$work/hello.log' ||
    { head -20 '$work/hello.log'; exit 1; }"
check "and runs" grep -q '^hello [0-9]' <("$work/hello" version)
echo "pkg-config test: $passes passed, $failures failed"
exit $((failures > 0))
