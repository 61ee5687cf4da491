// Connecting: connect, the transitive full mesh, ping pong/pang, nodes(), hidden nodes, disconnect.
#include <signal.h>

#include <catch2/catch.hpp>

#include "cluster_harness.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

TEST_CASE("connect is true and symmetric and idempotent and self counts as connected", "[cluster]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a("127.0.0.2", port), b("127.0.0.3", port);
  REQUIRE(a.ready());
  REQUIRE(b.ready());
  CHECK(a.cmd("connect app@127.0.0.3") == "true");
  CHECK(a.cmd("connect app@127.0.0.3") == "true");
  CHECK(a.cmd("connect app@127.0.0.2") == "true");
  CHECK(a.cmd("nodes") == "app@127.0.0.3");
  CHECK(wait_for_answer(b, "nodes", "app@127.0.0.2", 2s) == "app@127.0.0.2");
  CHECK(a.cmd("events") == "nodeup app@127.0.0.3\n");
  CHECK(b.cmd("events") == "nodeup app@127.0.0.2\n");
}

TEST_CASE("connecting is transitive: A connects B and B knows C so A and C meet", "[cluster]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3", "127.0.0.4"});
  cluster_node a("127.0.0.2", port), b("127.0.0.3", port), c("127.0.0.4", port);
  REQUIRE((a.ready() && b.ready() && c.ready()));
  REQUIRE(b.cmd("connect app@127.0.0.4") == "true");
  REQUIRE(a.cmd("connect app@127.0.0.3") == "true");
  CHECK(wait_for_answer(a, "nodes", "app@127.0.0.3,app@127.0.0.4", 3s) == "app@127.0.0.3,app@127.0.0.4");
  CHECK(wait_for_answer(c, "nodes", "app@127.0.0.2,app@127.0.0.3", 3s) == "app@127.0.0.2,app@127.0.0.3");
  CHECK(b.cmd("nodes") == "app@127.0.0.2,app@127.0.0.4");
  // A and C talk directly: B's death leaves them connected.
  b.proc().signal(SIGKILL);
  CHECK(wait_for_answer(a, "nodes", "app@127.0.0.4", 3s) == "app@127.0.0.4");
  CHECK(a.cmd("ping app@127.0.0.4") == "pong");
}

TEST_CASE("ping is pong for a live node and pang for a dead or never-existing one", "[cluster]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3", "127.0.0.5"});
  cluster_node a("127.0.0.2", port);
  REQUIRE(a.ready());
  {
    cluster_node b("127.0.0.3", port);
    REQUIRE(b.ready());
    CHECK(a.cmd("ping app@127.0.0.3") == "pong");
    CHECK(a.cmd("nodes") == "app@127.0.0.3");
    CHECK(a.cmd("ping app@127.0.0.2") == "pong");
  }
  CHECK(wait_for_answer(a, "nodes", "", 3s).empty());
  CHECK(a.cmd("ping app@127.0.0.3") == "pang");
  auto start = std::chrono::steady_clock::now();
  CHECK(a.cmd("ping app@127.0.0.5") == "pang");
  CHECK(a.cmd("ping nobody@no-such-host.invalid") == "pang");
  CHECK(a.cmd("ping not-a-node-name") == "pang");
  CHECK(std::chrono::steady_clock::now() - start < 5s);
  CHECK(a.cmd("nodes").empty());
}

TEST_CASE("a hidden node is never listed and never connected onward", "[cluster]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a("127.0.0.2", port), b("127.0.0.3", port);
  cluster_node_options hidden;
  hidden.hidden = true;
  hidden.listen = false;
  cluster_node shell("127.0.0.1", port, hidden);
  REQUIRE((a.ready() && b.ready() && shell.ready()));
  REQUIRE(a.cmd("connect app@127.0.0.3") == "true");
  REQUIRE(shell.cmd("connect app@127.0.0.2") == "true");
  CHECK(shell.cmd("ping app@127.0.0.2") == "pong");
  CHECK(a.cmd("nodes") == "app@127.0.0.3");
  CHECK(a.cmd("hidden") == "shell@127.0.0.1");
  CHECK(b.cmd("nodes") == "app@127.0.0.2");
  CHECK(b.cmd("hidden").empty());
  CHECK(shell.cmd("hidden") == "app@127.0.0.2");
  CHECK(a.cmd("events") == "nodeup app@127.0.0.3\n");
  shell.proc().signal(SIGKILL);
  CHECK(wait_for_answer(a, "hidden", "", 3s).empty());
}

TEST_CASE("disconnect drops the connection on both sides with a reason", "[cluster]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a("127.0.0.2", port), b("127.0.0.3", port);
  REQUIRE((a.ready() && b.ready()));
  REQUIRE(a.cmd("connect app@127.0.0.3") == "true");
  REQUIRE(wait_for_answer(b, "nodes", "app@127.0.0.2", 2s) == "app@127.0.0.2");
  CHECK(a.cmd("disconnect app@127.0.0.3") == "true");
  CHECK(a.cmd("disconnect app@127.0.0.3") == "false");
  CHECK(a.cmd("nodes").empty());
  CHECK(wait_for_answer(b, "nodes", "", 2s).empty());
  CHECK(a.cmd("events") == "nodeup app@127.0.0.3\nnodedown app@127.0.0.3 disconnect requested\n");
  CHECK(b.cmd("events") == "nodeup app@127.0.0.2\nnodedown app@127.0.0.2 connection closed\n");
  // and they can meet again
  CHECK(a.cmd("connect app@127.0.0.3") == "true");
  CHECK(wait_for_answer(b, "nodes", "app@127.0.0.2", 2s) == "app@127.0.0.2");
}
