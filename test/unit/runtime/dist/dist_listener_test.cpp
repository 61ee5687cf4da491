// The distribution listener as an unauthenticated client meets it over a real socket: before the client
// proves the cookie, the listener sends one frame, its name and a fresh random challenge, the same in shape
// whatever its cookie; a wrong proof gets nothing more, is counted, and the close comes only after a delay.
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "../node/test_nodes.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/node.hpp"
#include "plugnode/test/ports.hpp"

using namespace plugnode::runtime;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

std::string frame(const std::string& body) {
  return std::string{static_cast<char>(body.size() >> 8), static_cast<char>(body.size() & 0xff)} + body;
}

// A TCP client from 127.0.0.5 that reads what comes within a time bound.
struct intruder {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  bool closed = false;

  intruder(const std::string& address, std::uint16_t port) {
    auto local = plugnode::test::ipv4_address("127.0.0.5", 0);
    auto remote = plugnode::test::ipv4_address(address, port);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) == 0);
    REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&remote), sizeof remote) == 0);
  }
  ~intruder() { ::close(fd); }

  void send(const std::string& bytes) {
    REQUIRE(::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(bytes.size()));
  }
  // Everything that arrives until the listener closes or `quiet` passes without a byte.
  std::string read_until_quiet(std::chrono::milliseconds quiet) {
    std::string out;
    char buffer[512];
    pollfd p{fd, POLLIN, 0};
    while (::poll(&p, 1, static_cast<int>(quiet.count())) == 1) {
      auto n = ::recv(fd, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed = true;
        break;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }
};

struct listener_view {
  std::string before_proof; // every byte the listener sent before the client's proof
  std::string after_proof;  // every byte after a wrong proof, until the close
  bool closed = false;
  clock_type::duration close_after{}; // from the wrong proof to the close
};

listener_view meet(const std::string& cookie) {
  auto port = plugnode::test::free_port("127.0.0.2");
  auto options = testing::listening_on("127.0.0.2", port);
  options.cookie = cookie;
  node n(options);
  REQUIRE_FALSE(n.start());
  intruder client("127.0.0.2", port);
  client.send(frame("plugnode-dist-2\nhello\nevil@127.0.0.5"));
  listener_view view;
  view.before_proof = client.read_until_quiet(300ms);
  auto proof_sent = clock_type::now();
  client.send(frame("plugnode-dist-2\nproof\n" + std::string(64, 'a') + "\n" + std::string(64, '0')));
  view.after_proof = client.read_until_quiet(3s);
  view.close_after = clock_type::now() - proof_sent;
  view.closed = client.closed;
  return view;
}

} // namespace

TEST_CASE("a client that has not proved the cookie gets only a random challenge, and a wrong proof costs it "
          "a wait",
          "[dist_listener]") {
  auto counted = log_limit_counts("failed cookie proofs").events; // /metrics shows this count
  auto one = meet("one cookie");
  auto other = meet("a different cookie");
  CHECK(log_limit_counts("failed cookie proofs").events == counted + 2);
  const std::string prefix = "plugnode-dist-2\nchallenge\napp@127.0.0.2\n";
  for (const auto* view : {&one, &other}) {
    // Exactly one frame: the listener's name and 64 hex digits of challenge. Nothing else, in particular
    // nothing a cookie guess could be checked against.
    REQUIRE(view->before_proof.size() == 2 + prefix.size() + 64);
    CHECK(view->before_proof.substr(0, 2 + prefix.size()) ==
          frame(prefix + std::string(64, 'x')).substr(0, 2 + prefix.size()));
    auto challenge = view->before_proof.substr(2 + prefix.size());
    CHECK(challenge.find_first_not_of("0123456789abcdef") == std::string::npos);
    CHECK(view->after_proof.empty());
    CHECK(view->closed);
    CHECK(view->close_after >= 700ms);
    CHECK(view->close_after < 2500ms);
  }
  // The two cookies made no difference but in the random challenge, which differs per connection anyway.
  CHECK(one.before_proof.substr(0, 2 + prefix.size()) == other.before_proof.substr(0, 2 + prefix.size()));
  CHECK(one.before_proof != other.before_proof);
}
