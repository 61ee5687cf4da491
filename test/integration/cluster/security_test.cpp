// The cookie: a peer with another cookie is refused on both sides, logged with its address, never listed; a
// peer that skips the handshake (a CAF node speaking BASP, or any raw TCP client) gets nothing but the
// handshake's challenge, is dropped within the handshake deadline, and never reaches an actor.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>
#include <vector>

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
  // Each side logs the refusal with the peer's address: as responder (the dialler's proof is wrong: the
  // dialler proves first) and as initiator (its proof was refused).
  CHECK(logged(a, "refused node app@127.0.0.3: wrong cookie proof (peer 127.0."));
  CHECK(logged(b, "refused node app@127.0.0.2: wrong cookie proof (peer 127.0."));
  CHECK(logged(a, "node app@127.0.0.3 refused this node's cookie proof (wrong cookie?) (peer 127.0.0.3:"));
  CHECK(logged(b, "node app@127.0.0.2 refused this node's cookie proof (wrong cookie?) (peer 127.0.0.2:"));
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

TEST_CASE("a raw client without the cookie gets only the challenge, then is closed after a wait",
          "[cluster][cookie]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a("127.0.0.2", port);
  REQUIRE(a.ready());
  raw_client client("127.0.0.5", "127.0.0.2", port);
  REQUIRE(client.connected());
  client.send(handshake_frame("plugnode-dist-2\nhello\nevil@127.0.0.5"));
  auto challenge = client.read(2, 2s);
  REQUIRE(challenge.size() == 2);
  auto length = static_cast<std::size_t>(static_cast<unsigned char>(challenge[0])) << 8 |
                static_cast<unsigned char>(challenge[1]);
  // Its name and a random challenge: nothing derived from the cookie before the client proved it.
  auto body = client.read(length, 2s);
  CHECK_THAT(body, Catch::StartsWith("plugnode-dist-2\nchallenge\napp@127.0.0.2\n"));
  CHECK(body.size() == std::string("plugnode-dist-2\nchallenge\napp@127.0.0.2\n").size() + 64);
  client.send(
      handshake_frame("plugnode-dist-2\nproof\n" + std::string(64, 'a') + "\n" + std::string(64, '0')));
  auto start = std::chrono::steady_clock::now();
  CHECK(client.read_to_end(3s).empty());
  CHECK(client.closed());
  CHECK(std::chrono::steady_clock::now() - start >= 700ms); // a wrong guess costs a wait
  CHECK(logged(a, "refused node evil@127.0.0.5: wrong cookie proof (peer 127.0.0.5:"));
  CHECK(a.cmd("nodes").empty());
  CHECK(a.cmd("hidden").empty());
  // The node still serves peers that know the cookie.
  cluster_node b("127.0.0.3", port);
  REQUIRE(b.ready());
  CHECK(b.cmd("connect app@127.0.0.2") == "true");
}

// An online dictionary attack: 16 threads on one address each connect, take the challenge, send a wrong proof
// and wait for the close, over and over. The listener holds each wrong prover 750 ms in its slot and one
// address has 8 slots, so at most about 10.7 guesses a second get through; a peer elsewhere still connects.
TEST_CASE("a cookie guesser on one address gets about ten guesses a second while a peer still connects",
          "[cluster][cookie]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a("127.0.0.2", port), b("127.0.0.3", port);
  REQUIRE((a.ready() && b.ready()));
  std::atomic<int> guesses{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> guessers;
  for (int i = 0; i < 16; ++i)
    guessers.emplace_back([&] {
      while (!stop) {
        raw_client client("127.0.0.5", "127.0.0.2", port);
        client.send(handshake_frame("plugnode-dist-2\nhello\nevil@127.0.0.5"));
        auto header = client.read(2, 1s);
        if (header.size() != 2) { // reset at accept: this address's slots are all taken
          std::this_thread::sleep_for(10ms);
          continue;
        }
        (void)client.read(static_cast<std::size_t>(static_cast<unsigned char>(header[0])) << 8 |
                              static_cast<unsigned char>(header[1]),
                          1s);
        client.send(
            handshake_frame("plugnode-dist-2\nproof\n" + std::string(64, 'a') + "\n" + std::string(64, '0')));
        client.read_to_end(2s);
        if (client.closed())
          ++guesses;
      }
    });
  std::this_thread::sleep_for(1s); // the guessers hold every slot they can
  auto start = std::chrono::steady_clock::now();
  auto before = guesses.load();
  auto t0 = std::chrono::steady_clock::now();
  CHECK(b.cmd("connect app@127.0.0.2") == "true");
  auto connect_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::this_thread::sleep_until(start + 4s);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto rate = (guesses.load() - before) / seconds;
  stop = true;
  for (auto& t : guessers)
    t.join();
  WARN("cookie guesses from 127.0.0.5: " << rate << " a second; a peer's connect meanwhile " << connect_ms
                                         << " ms");
  CHECK(rate > 2);    // the attack ran
  CHECK(rate < 12.5); // 8 slots / 0.75 s = 10.7, and a little for the round trips' overlap
  CHECK(connect_ms < 1000);
  CHECK(a.cmd("nodes") == "app@127.0.0.3");
  CHECK(a.proc().running());
}
