// pending_clients: the bounded waiting room of the Erlang gate and the EPMD responder, on real loopback
// sockets: a partial request waits in its buffer without waking the loop, a whole one is served once, and a
// client that never completes is closed at its deadline.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <thread>

#include "plugnode/runtime/net/pending_clients.hpp"
#include "plugnode/runtime/net/sockets.hpp"
#include "plugnode/test/ports.hpp"
#include "plugnode/test/raw_client.hpp"

namespace net = plugnode::runtime::net;
using namespace std::chrono_literals;

namespace {

// A waiting room on 127.0.0.2 (8 clients, 2 per address, requests of up to 16 bytes) whose one request is
// "hello" and whose answer is "ok", run on a thread of its own.
class room {
public:
  explicit room(std::chrono::milliseconds patience) : port_(plugnode::test::free_port("127.0.0.2")) {
    std::string error;
    listener_ = net::open_listener("127.0.0.2", port_, 64, error);
    REQUIRE(listener_ >= 0);
    REQUIRE(::pipe2(wake_, O_CLOEXEC) == 0);
    thread_ = std::thread([this, patience] {
      net::pending_clients clients(8, 2, 16, "test clients");
      clients.serve_until_woken(listener_, wake_[0], patience, [this](net::pending_client& c) {
        ++offers_;
        if (c.received != "hello")
          return false;
        std::lock_guard<std::mutex> lock(mutex_);
        served_ = c.received;
        (void)::send(c.fd, "ok", 2, MSG_NOSIGNAL);
        ::close(c.fd);
        return true;
      });
    });
  }
  ~room() {
    (void)!::write(wake_[1], "x", 1);
    thread_.join();
    for (int fd : {listener_, wake_[0], wake_[1]})
      ::close(fd);
  }
  std::uint16_t port() const { return port_; }
  int offers() const { return offers_; }
  std::string served() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return served_;
  }

private:
  std::uint16_t port_;
  int listener_ = -1;
  int wake_[2] = {-1, -1};
  std::atomic<int> offers_{0};
  mutable std::mutex mutex_;
  std::string served_;
  std::thread thread_;
};

} // namespace

TEST_CASE("a partial request waits in its buffer without waking the loop, then is served whole",
          "[pending_clients]") {
  room r(5s);
  plugnode::test::raw_client client("127.0.0.3", "127.0.0.2", r.port());
  REQUIRE(client.send("hel"));
  std::this_thread::sleep_for(500ms);
  // A peeked request kept the socket readable: the loop offered it again every turn (a busy loop).
  CHECK(r.offers() <= 2);
  REQUIRE(client.send("lo"));
  CHECK(client.read_to_end(2s) == "ok");
  CHECK(client.closed());
  CHECK(r.served() == "hello");
}

TEST_CASE("a client that never completes its request is closed at its deadline", "[pending_clients]") {
  room r(300ms);
  plugnode::test::raw_client client("127.0.0.3", "127.0.0.2", r.port());
  auto start = std::chrono::steady_clock::now();
  // A byte every 100 ms is progress, but the deadline is a total one.
  for (int i = 0; i < 10 && !client.closed(); ++i) {
    client.send("h");
    client.read_to_end(100ms);
  }
  CHECK(client.closed());
  CHECK(std::chrono::steady_clock::now() - start < 700ms);
  CHECK(r.served().empty());
}
