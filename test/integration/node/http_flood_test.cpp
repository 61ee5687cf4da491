// A flood of bad HTTP requests from one address against a real node: every one is refused with its 4xx,
// the node keeps serving others, and its log grows by a bounded amount (the log limiter's summaries), not a
// line per request.
#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include "plugnode/test/ports.hpp"
#include "plugnode/test/raw_client.hpp"
#include "running_node.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

// One bad request on a fresh connection; true when a 400 came back.
bool refused_once(const std::string& address, std::uint16_t port) {
  raw_client client(address, port);
  return client.send("GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n") &&
         client.read(12, 2s) == "HTTP/1.1 400";
}

} // namespace

TEST_CASE("100,000 bad requests from one address: all refused, the log grows by kilobytes", "[http_flood]") {
  running_node node("app", "127.0.0.1", free_port());
  auto before = node.proc().output().size();
  std::atomic<int> refused{0}, sent{0};
  auto until = std::chrono::steady_clock::now() + 60s; // a bound on a slow machine, not the expected time
  std::vector<std::thread> flood;
  for (int t = 0; t < 4; ++t)
    flood.emplace_back([&] {
      while (sent++ < 100000 && std::chrono::steady_clock::now() < until)
        refused += refused_once(node.address(), node.http_port());
    });
  for (auto& t : flood)
    t.join();
  auto took = std::chrono::duration<double>(std::chrono::steady_clock::now() - (until - 60s)).count();
  CHECK(refused >= 100000);
  CHECK(raw_get(node.address(), node.http_port(), "/").find("200 OK") != std::string::npos);
  std::this_thread::sleep_for(5500ms); // one summary window, so its line is in the log too
  auto grown = node.proc().output().size() - before;
  WARN("100,000 bad requests in " << took << " s; the log grew by " << grown << " bytes");
  CHECK(grown < 64 * 1024);
  CHECK_THAT(node.proc().output(), Catch::Contains("refused HTTP requests"));
}
