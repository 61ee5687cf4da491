// Failure detection: a killed peer is down at once, a frozen one within the bound, a leaving one says so, and
// a connection attempt to a frozen peer returns within its deadline.
#include <signal.h>

#include <catch2/catch.hpp>

#include "cluster_harness.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

// Two connected nodes, a on .2 and b on .3.
struct pair_of_nodes {
  std::uint16_t port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a{"127.0.0.2", port};
  cluster_node b{"127.0.0.3", port};
  pair_of_nodes() {
    REQUIRE((a.ready() && b.ready()));
    REQUIRE(a.cmd("connect app@127.0.0.3") == "true");
    REQUIRE(wait_for_answer(b, "nodes", "app@127.0.0.2", 2s) == "app@127.0.0.2");
  }
};

} // namespace

TEST_CASE("kill -9 of a peer is a nodedown at once (connection closed)", "[cluster][failure]") {
  pair_of_nodes nodes;
  auto start = clock_type::now();
  nodes.b.proc().signal(SIGKILL);
  CHECK(wait_for_answer(nodes.a, "nodes", "", 2s).empty());
  CHECK(clock_type::now() - start < 500ms);
  CHECK(nodes.a.cmd("events") == "nodeup app@127.0.0.3\nnodedown app@127.0.0.3 connection closed\n");
}

TEST_CASE("a frozen peer (SIGSTOP) is down within the failure bound (heartbeat timeout)",
          "[cluster][failure]") {
  pair_of_nodes nodes; // bound 1500 ms, heartbeat 200 ms
  auto start = clock_type::now();
  nodes.b.proc().signal(SIGSTOP);
  CHECK(wait_for_answer(nodes.a, "nodes", "", 4s).empty());
  auto took = clock_type::now() - start;
  CHECK(took >= 1400ms);
  CHECK(took < 2500ms);
  CHECK(nodes.a.cmd("events") == "nodeup app@127.0.0.3\nnodedown app@127.0.0.3 heartbeat timeout\n");
  nodes.b.proc().signal(SIGCONT);
  // Once thawed, b finds its connection gone and both can meet again.
  CHECK(wait_for_answer(nodes.b, "nodes", "", 3s).empty());
  CHECK(nodes.a.cmd("connect app@127.0.0.3") == "true");
}

TEST_CASE("SIGTERM makes a node leave: peers report it at once", "[cluster][failure]") {
  pair_of_nodes nodes;
  nodes.b.proc().signal(SIGTERM);
  CHECK(nodes.b.proc().wait(3s) == 0);
  CHECK(nodes.a.cmd("nodes").empty());
  CHECK(nodes.a.cmd("events") == "nodeup app@127.0.0.3\nnodedown app@127.0.0.3 peer leaving\n");
}

TEST_CASE("a restarted peer is a new incarnation: nodedown then nodeup", "[cluster][failure]") {
  pair_of_nodes nodes;
  nodes.b.proc().signal(SIGKILL);
  REQUIRE(wait_for_answer(nodes.a, "nodes", "", 2s).empty());
  cluster_node again("127.0.0.3", nodes.port);
  REQUIRE(again.ready());
  CHECK(nodes.a.cmd("connect app@127.0.0.3") == "true");
  CHECK(nodes.a.cmd("events") ==
        "nodeup app@127.0.0.3\nnodedown app@127.0.0.3 connection closed\nnodeup app@127.0.0.3\n");
}

TEST_CASE("connecting to a frozen peer returns false within the deadline", "[cluster][failure]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node_options quick;
  quick.connect_timeout_ms = 1000;
  cluster_node a("127.0.0.2", port, quick), b("127.0.0.3", port);
  REQUIRE((a.ready() && b.ready()));
  b.proc().signal(SIGSTOP);
  auto start = clock_type::now();
  CHECK(a.cmd("connect app@127.0.0.3") == "false");
  CHECK(a.cmd("ping app@127.0.0.3") == "pang");
  CHECK(clock_type::now() - start < 3s);
  CHECK(a.cmd("nodes").empty());
  b.proc().signal(SIGCONT);
}

TEST_CASE("the cluster view reports RTT and last seen per peer", "[cluster]") {
  pair_of_nodes nodes;
  std::string view;
  eventually(
      [&] {
        view = nodes.a.cmd("cluster");
        return view.find("rtt_us=-1") == std::string::npos;
      },
      2s);
  CHECK_THAT(view, Catch::StartsWith("app@127.0.0.3 rtt_us="));
  CHECK(view.find("rtt_us=-1") == std::string::npos);
  CHECK(view.find("hidden") == std::string::npos);
}
