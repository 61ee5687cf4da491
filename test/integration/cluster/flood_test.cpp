// The distribution port under a flood of idle connections from one address (500 sockets that reconnect as
// soon as they are closed): a real peer on another address still connects within a second, an existing link
// and the node's own dials are untouched, and the node's log grows by a bounded amount per second.
#include <catch2/catch.hpp>

#include <algorithm>
#include <thread>
#include <vector>

#include "cluster_harness.hpp"
#include "connection_flood.hpp"
#include "plugnode/test/raw_client.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

TEST_CASE("a peer on another address connects within 1 s while 500 sockets flood the port from one",
          "[cluster][hostile]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3", "127.0.0.4"});
  cluster_node a("127.0.0.2", port), c("127.0.0.4", port);
  REQUIRE((a.ready() && c.ready()));
  REQUIRE(c.cmd("connect app@127.0.0.2") == "true");
  cluster_node b("127.0.0.3", port);
  REQUIRE(b.ready());

  connection_flood flood("127.0.0.5", "127.0.0.2", port, 500);
  std::this_thread::sleep_for(1s); // every slot the flood can take is taken
  auto log_start = a.output().size();
  auto flood_start = flood.connects();
  auto start = std::chrono::steady_clock::now();
  std::vector<double> connect_ms;
  for (int round = 0; round < 5; ++round) {
    auto t0 = std::chrono::steady_clock::now();
    auto answer = b.cmd("connect app@127.0.0.2");
    connect_ms.push_back(
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
    CHECK(answer == "true");
    CHECK(b.cmd("disconnect app@127.0.0.2") == "true");
    wait_for_answer(a, "nodes", "app@127.0.0.4", 2s);
  }
  // The node's own dial and its existing link, during the flood.
  CHECK(a.cmd("connect app@127.0.0.3") == "true");
  CHECK(c.cmd("ping app@127.0.0.2") == "pong");
  CHECK(wait_for_answer(a, "nodes", "app@127.0.0.3,app@127.0.0.4", 2s) == "app@127.0.0.3,app@127.0.0.4");
  // Long enough for a summary window (5 s) to close within the measurement.
  std::this_thread::sleep_until(start + 7s);
  auto seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  auto log_rate = static_cast<double>(a.output().size() - log_start) / seconds;
  auto flood_rate = static_cast<double>(flood.connects() - flood_start) / seconds;
  std::sort(connect_ms.begin(), connect_ms.end());
  WARN("flood: " << flood_rate << " connects/s from 127.0.0.5; peer connect ms: median " << connect_ms[2]
                 << ", max " << connect_ms.back() << "; node log " << log_rate << " bytes/s");
  CHECK(connect_ms.back() < 1000);
  CHECK(flood_rate > 1000); // the flood really ran
  CHECK(log_rate < 20000);  // was about 950,000 bytes/s before the limiter
  CHECK_THAT(a.output(), Catch::Contains(" more from 127.0.0.5 in the last "));
  CHECK(a.proc().running());
}

TEST_CASE("a peer from a fresh address connects 10 times of 10 while 200 addresses hold 1, 2 or 8 pending "
          "handshakes each",
          "[cluster][hostile]") {
  // Each flood socket sends the start of a hello that never ends, so it holds its slot until the handshake
  // deadline, and reconnects at once when the node closes it. When every address held one slot, the old
  // eviction picked the lexicographically first address, any 127.0.0.x peer: 0 connects of 8.
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3"});
  cluster_node a("127.0.0.2", port), b("127.0.0.3", port);
  REQUIRE((a.ready() && b.ready()));
  auto partial_hello = std::string("\x00\x60", 2) + "plugnode-dist-2\nhel";
  for (std::size_t per_address : {1, 2, 8}) {
    connection_flood flood(flood_addresses(200), "127.0.0.2", port, per_address, partial_hello);
    std::this_thread::sleep_for(1s); // every slot the flood can take is taken
    auto flood_start = flood.connects();
    int connected = 0;
    double slowest_ms = 0;
    // Bounded: two failed rounds end the attempt (each waits at most 2 s).
    for (int round = 0; round < 10 && round - connected < 2; ++round) {
      auto t0 = std::chrono::steady_clock::now();
      auto answer = b.cmd("connect app@127.0.0.2", 2s);
      auto ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      slowest_ms = std::max(slowest_ms, ms);
      if (answer == "true" && ms < 1000)
        ++connected;
      b.cmd("disconnect app@127.0.0.2", 2s);
      wait_for_answer(a, "nodes", "", 2s);
    }
    WARN(per_address << " per address from 200 addresses: " << connected << " of 10 connects under 1 s, "
                     << "slowest " << slowest_ms << " ms; flood " << flood.connects() - flood_start
                     << " connects meanwhile");
    CHECK(connected == 10);
    CHECK(flood.connects() - flood_start > 0); // the flood really ran (the node kept closing its sockets)
  }
  // The flood really held slots (a hello the listener refused at once would not have filled them).
  CHECK_THAT(a.output(), Catch::Contains("evicted the handshake idle longest"));
  CHECK(a.proc().running());
}

TEST_CASE("a handshake trickling one byte every 300 ms ends at its total deadline", "[cluster][hostile]") {
  auto port = shared_free_port({"127.0.0.2"});
  cluster_node_options quick;
  quick.connect_timeout_ms = 2000;
  cluster_node a("127.0.0.2", port, quick);
  REQUIRE(a.ready());
  raw_client client("127.0.0.5", "127.0.0.2", port);
  REQUIRE(client.connected());
  // A hello announced as 1 KB (the most a frame may be), sent a byte at a time: every byte is progress,
  // none extends the deadline.
  auto start = std::chrono::steady_clock::now();
  client.send(std::string("\x04\x00", 2));
  auto hello = std::string("plugnode-dist-2\nhello\n") + std::string(100, 'x');
  bool closed = false;
  for (std::size_t i = 0; i < 20 && !closed; ++i) { // at most 6 s
    client.send(hello.substr(i, 1));
    client.read_to_end(300ms);
    closed = client.closed();
  }
  auto held = std::chrono::steady_clock::now() - start;
  CHECK(closed);
  CHECK(held > 1800ms);
  CHECK(held < 3s);
  CHECK(a.proc().running());
}
