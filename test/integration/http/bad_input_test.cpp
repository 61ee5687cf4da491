// Bad input over raw TCP: each request gets its 4xx or a closed connection, never a crash or a stuck worker,
// and a prober shows the server answering other clients all along. The pool is small (4 workers), so a
// worker left stuck by bad input would show up as the prober failing.
#include <arpa/inet.h>
#include <catch2/catch.hpp>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/router.hpp"
#include "served.hpp"

using namespace plugnode::plugs;
using plugnode::test::raw_exchange;
using plugnode::test::served;
using plugnode::test::status_of;
using namespace std::chrono_literals;

namespace {

endpoint_options small_limits() {
  endpoint_options options;
  options.workers = 4;
  options.max_body = 64 * 1024;
  options.read_timeout = 500ms;
  options.write_timeout = 500ms;
  options.keep_alive_timeout = std::chrono::seconds(1);
  return options;
}

router app() {
  router r;
  r.get("/", [](conn& c) { c.send_resp(200, "ok"); });
  r.post("/echo", [](conn& c) { c.send_resp(200, c.body); });
  return r;
}

// Asks GET / every 20 ms on a fresh connection while a test runs; counts answers and failures.
class prober {
public:
  explicit prober(served& server)
      : thread_([this, cli = server.client()]() mutable {
          cli.set_read_timeout(2s);
          while (!done_) {
            auto res = cli.Get("/");
            (res && res->status == 200 ? ok_ : failed_)++;
            std::this_thread::sleep_for(20ms);
          }
        }) {}
  ~prober() { finish(); }
  void finish() {
    done_ = true;
    if (thread_.joinable())
      thread_.join();
  }
  int ok() const { return ok_; }
  int failed() const { return failed_; }

private:
  std::atomic<bool> done_{false};
  std::atomic<int> ok_{0};
  std::atomic<int> failed_{0};
  std::thread thread_;
};

// A 4xx status, or the connection closed without any answer.
bool refused(const plugnode::test::raw_result& r) {
  int status = status_of(r.response);
  return (status >= 400 && status < 500) || (r.response.empty() && r.closed);
}

void check_refused(const std::string& request, int expected_status = 0) {
  served server(app(), small_limits());
  prober probe(server);
  for (int i = 0; i < 3; ++i) {
    auto r = raw_exchange(server.port(), request);
    INFO(r.response);
    CHECK(refused(r));
    if (expected_status != 0)
      CHECK(status_of(r.response) == expected_status);
  }
  std::this_thread::sleep_for(60ms);
  probe.finish();
  CHECK(probe.ok() > 0);
  CHECK(probe.failed() == 0);
  auto fine = raw_exchange(server.port(), "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(status_of(fine.response) == 200);
}

} // namespace

TEST_CASE("a malformed request line gets 400", "[bad_input]") {
  check_refused("GARBAGE\r\n\r\n", 400);
  check_refused("GET /\r\n\r\n", 400);
  check_refused("GET / HTTP/9.9 extra\r\n\r\n", 400);
}

TEST_CASE("a header line without a colon is refused", "[bad_input]") {
  check_refused("GET / HTTP/1.1\r\nHost: x\r\nNoColonHere\r\nConnection: close\r\n\r\n");
}

TEST_CASE("an oversize header line or header block is refused", "[bad_input]") {
  check_refused("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + std::string(16 * 1024, 'a') + "\r\n\r\n");
  std::string many = "GET / HTTP/1.1\r\nHost: x\r\n";
  for (int i = 0; i < 2000; ++i)
    many += "X-Filler-" + std::to_string(i) + ": " + std::string(40, 'b') + "\r\n";
  check_refused(many + "Connection: close\r\n\r\n");
  check_refused("GET /" + std::string(16 * 1024, 'p') + " HTTP/1.1\r\nHost: x\r\n\r\n");
}

TEST_CASE("an oversize body gets 413 without being read", "[bad_input]") {
  check_refused(
      "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 104857600\r\n\r\n" + std::string(1000, 'z'), 413);
}

TEST_CASE("invalid percent-encoding in path or query gets 400", "[bad_input]") {
  check_refused("GET /a%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400);
  check_refused("GET /a%2 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400);
  check_refused("GET /?x=%G1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400);
  check_refused("GET /%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400);
}

TEST_CASE("a path with .. segments gets 400", "[bad_input]") {
  check_refused("GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400);
  check_refused("GET /a/%2e%2E/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 400);
}

TEST_CASE("an unknown method is refused", "[bad_input]") {
  check_refused("BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
}

TEST_CASE("a client sending a byte a second is dropped after the read timeout", "[bad_input]") {
  served server(app(), small_limits());
  prober probe(server);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(server.port());
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  auto start = std::chrono::steady_clock::now();
  bool dropped = false;
  for (std::size_t i = 0; i < 4 && !dropped; ++i) {
    if (::send(fd, &request[i], 1, MSG_NOSIGNAL) != 1) {
      dropped = true;
      break;
    }
    timeval wait{1, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    char byte = 0;
    auto n = ::recv(fd, &byte, 1, 0);
    dropped = n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK);
  }
  ::close(fd);
  CHECK(dropped);
  CHECK(std::chrono::steady_clock::now() - start < 3500ms);
  probe.finish();
  CHECK(probe.ok() > 10);
  CHECK(probe.failed() == 0);
}

TEST_CASE("clients closing mid-request leave no worker stuck", "[bad_input]") {
  served server(app(), small_limits());
  prober probe(server);
  // More aborted requests than workers: each must give its worker back.
  for (int i = 0; i < 12; ++i) {
    auto partial = i % 2 == 0
                       ? std::string("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\nabc")
                       : std::string("GET / HTTP/1.1\r\nHost: x\r\nX-Half");
    auto r = raw_exchange(server.port(), partial, 10ms);
    CHECK(status_of(r.response) == 0);
  }
  auto fine = raw_exchange(
      server.port(), "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello");
  CHECK(status_of(fine.response) == 200);
  CHECK_THAT(fine.response, Catch::EndsWith("hello"));
  std::this_thread::sleep_for(100ms);
  probe.finish();
  CHECK(probe.ok() > 0);
  CHECK(probe.failed() == 0);
}
