// testing: the service test kit's two-node variant, and what a peer looks like right after connecting:
// its address and a first round trip, on both sides, before any heartbeat.
#include "plugnode/app/testing.hpp"

#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>

#include "kit_nodes.hpp"
#include "plugnode/runtime/ask.hpp"

using namespace plugnode;
using namespace std::chrono_literals;
using app::testing::kit_node_on;

namespace {

// What /cluster reports about `peer` on `n`.
runtime::peer_info seen_from(app::test_node& n, const std::string& peer) {
  caf::scoped_actor self{n.node().system()};
  auto peers = runtime::ask<std::vector<runtime::peer_info>>(*self.ptr(), n.node().agent(), 1s,
                                                             runtime::cluster_atom_v);
  REQUIRE(peers);
  for (const auto& p : *peers)
    if (p.name == peer)
      return p;
  FAIL("no " << peer);
  return {};
}

} // namespace

TEST_CASE("two test nodes form a cluster, and each sees the other's address and a round trip at once",
          "[testing]") {
  app::service svc;
  svc.name = "kit";
  // The heartbeats come every 500 ms: what the report shows right after connecting is the handshake's.
  app::test_node a(svc, kit_node_on("127.0.0.6"));
  app::test_node b(svc, kit_node_on("127.0.0.7"));
  REQUIRE(a.connect(b));
  auto b_on_a = seen_from(a, b.name());
  CHECK(b_on_a.address == "127.0.0.7:" + std::to_string(b.node().port()));
  CHECK(b_on_a.rtt_us >= 0);
  auto a_on_b = seen_from(b, a.name());
  CHECK_THAT(a_on_b.address, Catch::Matches("127\\.0\\.0\\.[0-9]+:[0-9]+"));
  CHECK(a_on_b.rtt_us >= 0);
  CHECK(a.get("/cluster").status == 200);
}
