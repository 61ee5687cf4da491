// The cookie: a peer with another cookie is refused on both sides, logged with its address, never listed; a
// node that skips the handshake gets no answer and is dropped.
#include <catch2/catch.hpp>

#include "cluster_harness.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

TEST_CASE("a wrong cookie is refused on both sides and never listed", "[cluster][cookie]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node_options other;
  other.cookie = "another-cookie";
  cluster_node a("127.0.0.2", port), b("127.0.0.3", port, other);
  REQUIRE((a.ready() && b.ready()));
  CHECK(a.cmd("connect app@127.0.0.3") == "false");
  CHECK(b.cmd("connect app@127.0.0.2") == "false");
  CHECK(a.cmd("ping app@127.0.0.3") == "pang");
  CHECK(a.cmd("nodes").empty());
  CHECK(a.cmd("hidden").empty());
  CHECK(b.cmd("nodes").empty());
  CHECK(b.cmd("hidden").empty());
  CHECK(a.cmd("events").empty());
  // Each side logs the refusal with the peer's address: as initiator (bad proof) and as responder (the
  // other one hung up or never proved anything).
  auto logged = [](cluster_node& n, const std::string& text) {
    return eventually([&] { return n.output().find(text) != std::string::npos; }, 3s);
  };
  CHECK(logged(a, "refused node app@127.0.0.3: its cookie proof is wrong"));
  CHECK(logged(b, "refused node app@127.0.0.2: its cookie proof is wrong"));
  CHECK(logged(a, "(peer 127.0.0.3:"));
  CHECK(logged(b, "node app@127.0.0.2 (peer 127.0."));
}

TEST_CASE("a node that skips the handshake gets no answer and is dropped", "[cluster][cookie]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a("127.0.0.2", port), intruder("127.0.0.3", port);
  REQUIRE((a.ready() && intruder.ready()));
  CHECK_THAT(intruder.cmd("raw app@127.0.0.2"), Catch::StartsWith("no answer"));
  CHECK(eventually(
      [&] {
        return a.output().find("from a node that has not authenticated; dropping it") != std::string::npos;
      },
      2s));
  CHECK(a.cmd("nodes").empty());
  CHECK(a.cmd("hidden").empty());
}
