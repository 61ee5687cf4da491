// checker: HEAD against a real local server that answers, fails, hangs and closes; the actor answers at
// once whatever the target does.
#include "plugnode/app/checker.hpp"

#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <atomic>
#include <thread>
#include <vector>

#include "plugnode/test/exclusive_port.hpp"
#include "plugnode/test/ports.hpp"
#include "plugnode/test/process.hpp"

using namespace plugnode::app;
using namespace std::chrono_literals;

namespace {

// An HTTP server on loopback: /ok answers 200, /fail 503.
class test_server {
public:
  test_server() {
    server_.Get("/ok",
                [](const httplib::Request&, httplib::Response& res) { res.set_content("ok", "text/plain"); });
    server_.Get("/fail", [](const httplib::Request&, httplib::Response& res) { res.status = 503; });
    port_ = plugnode::test::bind_free_port(server_);
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    REQUIRE(plugnode::test::eventually([this] { return server_.is_running(); }, 5s));
  }
  ~test_server() {
    server_.stop();
    thread_.join();
  }
  std::uint16_t port() const { return port_; }

private:
  std::uint16_t port_ = 0;
  httplib::Server server_;
  std::thread thread_;
};

// A TCP listener that accepts and then either closes at once or never says a word.
class raw_server {
public:
  explicit raw_server(bool close_at_once) : port_(plugnode::test::free_port()) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port_);
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    thread_ = std::thread([this, close_at_once] {
      while (true) {
        int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0)
          return;
        if (close_at_once)
          ::close(client);
        else
          held_.push_back(client);
      }
    });
  }
  ~raw_server() {
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
    for (int fd : held_)
      ::close(fd);
  }
  std::uint16_t port() const { return port_; }

private:
  std::uint16_t port_;
  int fd_ = -1;
  std::vector<int> held_;
  std::thread thread_;
};

http_target target(std::uint16_t port, std::string path = "/") {
  return parse_http_url("http://127.0.0.1:" + std::to_string(port) + path, "test");
}

} // namespace

TEST_CASE("check_once: up, HTTP errors, refused, closed and silent targets", "[checker]") {
  test_server server;
  auto up = check_once(target(server.port(), "/ok"), 1s);
  CHECK(up.state == check_state::up);
  CHECK(up.http_status == 200);
  CHECK(up.duration < 1s);

  auto failing = check_once(target(server.port(), "/fail"), 1s);
  CHECK(failing.state == check_state::down);
  CHECK(failing.reason == "HTTP 503");

  auto refused = check_once(target(plugnode::test::free_port()), 1s);
  CHECK(refused.state == check_state::down);
  CHECK_THAT(refused.reason, Catch::Contains("refused"));

  raw_server closer(true);
  auto closed = check_once(target(closer.port()), 1s);
  CHECK(closed.state == check_state::down);
  CHECK(closed.duration < 1s);

  raw_server silent(false);
  auto hung = check_once(target(silent.port()), 300ms);
  CHECK(hung.state == check_state::down);
  CHECK_THAT(hung.reason, Catch::Contains("timeout"));
  CHECK(hung.duration >= 300ms);
  CHECK(hung.duration < 2s);
}

TEST_CASE("the checker answers within 50 ms while its target hangs, then reports it down", "[checker]") {
  raw_server silent(false);
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  auto registry = std::make_shared<prometheus::Registry>();
  checker_config options;
  options.target = target(silent.port());
  options.init_delay = 10ms;
  options.interval = 100ms;
  options.timeout = 400ms;
  auto checker = spawn_checker(system, options, registry);
  caf::scoped_actor self{system};
  auto ask = [&] {
    check_result result;
    auto start = std::chrono::steady_clock::now();
    self->request(checker, 50ms, caf::get_atom_v)
        .receive([&](check_result& r) { result = r; }, [&](caf::error& e) { FAIL(system.render(e)); });
    CHECK(std::chrono::steady_clock::now() - start < 50ms);
    return result;
  };
  CHECK(ask().state == check_state::unknown);
  auto deadline = std::chrono::steady_clock::now() + 3s;
  check_result last;
  while (std::chrono::steady_clock::now() < deadline && last.state == check_state::unknown) {
    last = ask();
    std::this_thread::sleep_for(20ms);
  }
  CHECK(last.state == check_state::down);
  CHECK_THAT(describe(last, std::chrono::system_clock::now()), Catch::StartsWith("down: http://127.0.0.1:"));
  CHECK_THAT(to_json(last), Catch::Contains(R"("state":"down")"));
  auto text = prometheus::TextSerializer().Serialize(registry->Collect());
  CHECK_THAT(text, Catch::Contains("http_check_total{result=\"down\",target=\"http://127.0.0.1:"));
  CHECK_THAT(text, Catch::Contains("http_check_duration_seconds_bucket"));
  self->send_exit(checker, caf::exit_reason::user_shutdown);
}

TEST_CASE("the checker goes up against an answering target and counts it", "[checker]") {
  test_server server;
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  auto registry = std::make_shared<prometheus::Registry>();
  checker_config options;
  options.target = target(server.port(), "/ok");
  options.init_delay = 10ms;
  options.interval = 50ms;
  auto checker = spawn_checker(system, options, registry);
  caf::scoped_actor self{system};
  check_result last;
  REQUIRE(plugnode::test::eventually(
      [&] {
        self->request(checker, 50ms, caf::get_atom_v)
            .receive([&](check_result& r) { last = r; }, [](caf::error&) {});
        return last.state == check_state::up;
      },
      3s));
  CHECK(last.http_status == 200);
  CHECK_THAT(describe(last, std::chrono::system_clock::now()), Catch::StartsWith("up: "));
  self->send_exit(checker, caf::exit_reason::user_shutdown);
}

TEST_CASE("with no target the checker says so", "[checker]") {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  auto checker = spawn_checker(system, {}, std::make_shared<prometheus::Registry>());
  caf::scoped_actor self{system};
  self->request(checker, 50ms, caf::get_atom_v)
      .receive(
          [&](check_result& r) {
            CHECK(r.state == check_state::unknown);
            CHECK(describe(r, std::chrono::system_clock::now()) == "unknown: no check yet (checker off)");
          },
          [&](caf::error& e) { FAIL(system.render(e)); });
  self->send_exit(checker, caf::exit_reason::user_shutdown);
}
