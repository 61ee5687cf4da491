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
#include "plugnode/test/ports.hpp"
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
  options.idle_timeout = std::chrono::seconds(1);
  options.head_timeout = std::chrono::seconds(1);
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

// A 4xx status (or 501/505, which RFC 9110 prescribes for an unknown method or version) and the connection
// closed after it: nothing the client sent after a refused request is ever read as a request.
bool refused(const plugnode::test::raw_result& r) {
  int status = status_of(r.response);
  return ((status >= 400 && status < 500) || status == 501 || status == 505) && r.closed;
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

TEST_CASE("the endpoint's max_body reaches its connections: 64 KB here, so 100 KB gets 413", "[bad_input]") {
  check_refused("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n", 413);
  check_refused("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n9c40\r\n" +
                    std::string(40000, 'c') + "\r\n9c40\r\n",
                413);
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

TEST_CASE("an unknown method gets 501, an unknown major version 505", "[bad_input]") {
  check_refused("BREW / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 501);
  check_refused("GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505);
}

TEST_CASE("a client trickling its head gets 408 at the head deadline, however much it sends", "[bad_input]") {
  served server(app(), small_limits()); // head_timeout 1 s
  prober probe(server);
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto addr = plugnode::test::ipv4_address("127.0.0.1", server.port());
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  std::string head = "GET / HTTP/1.1\r\nHost: x\r\n";
  auto start = std::chrono::steady_clock::now();
  std::string answer;
  // A byte every 50 ms: never silent for long, so only the head deadline can end it.
  for (std::size_t i = 0; i < 60 && answer.empty(); ++i) {
    std::string byte = i < head.size() ? head.substr(i, 1) : "X";
    ::send(fd, byte.data(), 1, MSG_NOSIGNAL);
    timeval wait{0, 50000};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, sizeof wait);
    char buffer[512];
    auto n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n > 0)
      answer.assign(buffer, static_cast<std::size_t>(n));
  }
  auto took = std::chrono::steady_clock::now() - start;
  ::close(fd);
  CHECK(status_of(answer) == 408);
  CHECK(took >= 900ms);
  CHECK(took < 2500ms);
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
