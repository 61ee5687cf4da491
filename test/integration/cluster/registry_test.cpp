// The registry: {name, node} reached from another node with a timeout; unknown names and nodes are errors.
#include <catch2/catch.hpp>

#include "cluster_harness.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

TEST_CASE("a registered actor answers {name, node} calls from a connected node", "[cluster][registry]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a("127.0.0.2", port), b("127.0.0.3", port);
  REQUIRE((a.ready() && b.ready()));
  REQUIRE(b.cmd("register echo") == "true");
  CHECK(b.cmd("register echo") == "false");
  CHECK(b.cmd("call echo app@127.0.0.3 local") == "echo:local@app@127.0.0.3");
  // Not connected yet: an unknown node, not a hang.
  CHECK_THAT(a.cmd("call echo app@127.0.0.3 x"), Catch::StartsWith("error: unknown_node"));
  REQUIRE(a.cmd("connect app@127.0.0.3") == "true");
  CHECK(a.cmd("call echo app@127.0.0.3 hello") == "echo:hello@app@127.0.0.3");
  CHECK_THAT(a.cmd("call nobody app@127.0.0.3 x"), Catch::StartsWith("error: unknown_name"));
  CHECK_THAT(a.cmd("call echo app@127.0.0.9 x"), Catch::StartsWith("error: unknown_node"));
}
