// The cookie: a peer with another cookie is refused on both sides, logged with its address, never listed; a
// peer that skips the handshake (a CAF node speaking BASP, or any raw TCP client) gets nothing but the
// handshake's challenge, is dropped within the handshake deadline, and never reaches an actor.
#include <catch2/catch.hpp>

#include "cluster_harness.hpp"
#include "handshake_frame.hpp"
#include "plugnode/test/raw_client.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

bool logged(cluster_node& n, const std::string& text) {
  return eventually([&] { return n.output().find(text) != std::string::npos; }, 3s);
}

} // namespace

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
  // other one hung up without proving anything).
  CHECK(logged(a, "refused node app@127.0.0.3: its cookie proof is wrong"));
  CHECK(logged(b, "refused node app@127.0.0.2: its cookie proof is wrong"));
  CHECK(logged(a, "(peer 127.0.0.3:"));
  CHECK(logged(
      b, "node app@127.0.0.2 closed the connection before authenticating (wrong cookie?) (peer 127.0."));
}

TEST_CASE("a CAF node that skips the handshake gets no BASP connection", "[cluster][cookie]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a("127.0.0.2", port), intruder("127.0.0.3", port);
  REQUIRE((a.ready() && intruder.ready()));
  CHECK_THAT(intruder.cmd("raw app@127.0.0.2"), Catch::StartsWith("no connection"));
  CHECK(logged(a, "refused a connection that does not speak the plugnode handshake (peer 127.0."));
  CHECK(a.cmd("nodes").empty());
  CHECK(a.cmd("hidden").empty());
}

TEST_CASE("a raw client that sends BASP bytes gets nothing and is closed at once", "[cluster][cookie]") {
  auto port = shared_free_port({"127.0.0.2"});
  cluster_node a("127.0.0.2", port);
  REQUIRE(a.ready());
  raw_client client("127.0.0.5", "127.0.0.2", port);
  REQUIRE(client.connected());
  // A BASP header as CAF writes it first (operation client_handshake, flags, payload length, ...).
  client.send(std::string("\x01\x00\x00\x00\x00\x00\x00\x30", 8) + std::string(40, '\0'));
  auto start = std::chrono::steady_clock::now();
  CHECK(client.read_to_end(3s).empty());
  CHECK(client.closed());
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  CHECK(logged(a, "refused a connection that does not speak the plugnode handshake (peer 127.0.0.5:"));
  CHECK(a.cmd("nodes").empty());
  CHECK(a.cmd("hidden").empty());
}

TEST_CASE("a raw client that says nothing is dropped at the handshake deadline", "[cluster][cookie]") {
  auto port = shared_free_port({"127.0.0.2"});
  cluster_node_options quick;
  quick.connect_timeout_ms = 1000;
  cluster_node a("127.0.0.2", port, quick);
  REQUIRE(a.ready());
  raw_client client("127.0.0.5", "127.0.0.2", port);
  REQUIRE(client.connected());
  auto start = std::chrono::steady_clock::now();
  CHECK(client.read_to_end(3s).empty());
  CHECK(client.closed());
  auto waited = std::chrono::steady_clock::now() - start;
  CHECK(waited > 800ms);
  CHECK(waited < 2s);
  CHECK(
      logged(a, "a peer did not authenticate within 1000 ms (wrong cookie?); dropping it (peer 127.0.0.5:"));
}

TEST_CASE("a raw client without the cookie gets only the challenge, then is closed", "[cluster][cookie]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a("127.0.0.2", port);
  REQUIRE(a.ready());
  raw_client client("127.0.0.5", "127.0.0.2", port);
  REQUIRE(client.connected());
  client.send(handshake_frame("plugnode-dist-1\nhello\nevil@127.0.0.5\n" + std::string(64, 'a')));
  auto challenge = client.read(2, 2s);
  REQUIRE(challenge.size() == 2);
  auto length = static_cast<std::size_t>(static_cast<unsigned char>(challenge[0])) << 8 |
                static_cast<unsigned char>(challenge[1]);
  CHECK_THAT(client.read(length, 2s), Catch::StartsWith("plugnode-dist-1\nchallenge\napp@127.0.0.2\n"));
  client.send(handshake_frame("plugnode-dist-1\nproof\n" + std::string(64, '0')));
  CHECK(client.read_to_end(3s).empty());
  CHECK(client.closed());
  CHECK(logged(a, "refused node evil@127.0.0.5: wrong cookie proof (peer 127.0.0.5:"));
  CHECK(a.cmd("nodes").empty());
  CHECK(a.cmd("hidden").empty());
  // The node still serves peers that know the cookie.
  cluster_node b("127.0.0.3", port);
  REQUIRE(b.ready());
  CHECK(b.cmd("connect app@127.0.0.2") == "true");
}
