// A BEAM connection's direct route on its own, the test's thread standing for the reader: which frames it
// delivers itself and which it leaves to the connection's actor, the order it keeps while the actor holds a
// name's frames, a call answered and its reply written to the socket, and the monitors of names it keeps.
#include "dist/erlang_direct.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "plugnode/erlang/protocol.hpp"

using namespace plugnode::erlang;
using namespace plugnode::erlang::detail;
using namespace std::chrono_literals;
using taken = direct_route::taken;

namespace {

const pid caller{"beam@127.0.0.1", 42, 0, 1};

struct fixture {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  // Answers a call with its request.
  caf::actor echo = system.spawn(
      [](int) -> caf::behavior {
        return {[](erlang_call_atom, const term& request) { return request; },
                [](erlang_send_atom, const term&) {}};
      },
      0);
  int beam_end = -1; // the BEAM node's end of the connection
  std::shared_ptr<erlang_connection> connection = connect();
  direct_route route{system, connection, {"echo"}};

  std::shared_ptr<erlang_connection> connect() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == 0);
    beam_end = fds[1];
    return std::make_shared<erlang_connection>(fds[0], caller.node, "test", 60s);
  }
  ~fixture() {
    ::close(beam_end);
    caf::anon_send_exit(echo, caf::exit_reason::user_shutdown);
  }

  // The next frame the BEAM node receives, within 2 s.
  std::optional<dist_message> received() {
    std::string bytes;
    auto want = std::size_t{4};
    while (bytes.size() < want) {
      pollfd p{beam_end, POLLIN, 0};
      if (::poll(&p, 1, 2000) != 1)
        return std::nullopt;
      char chunk[4096];
      auto got = ::recv(beam_end, chunk, std::min(sizeof chunk, want - bytes.size()), 0);
      if (got <= 0)
        return std::nullopt;
      bytes.append(chunk, static_cast<std::size_t>(got));
      if (bytes.size() == 4)
        want += (std::size_t{static_cast<unsigned char>(bytes[0])} << 24) |
                (std::size_t{static_cast<unsigned char>(bytes[1])} << 16) |
                (std::size_t{static_cast<unsigned char>(bytes[2])} << 8) |
                static_cast<unsigned char>(bytes[3]);
    }
    std::string error;
    return parse_frame(std::string_view(bytes).substr(4), error);
  }
};

dist_message call(const std::string& name, const term& tag, const term& request) {
  return {reg_send_control(caller, name), tuple_of(atom_of("$gen_call"), tuple_of(caller, tag), request), {}};
}

dist_message monitor_of(const std::string& name, const term& ref) {
  return {tuple_of(19, caller, atom_of(name), ref), std::nullopt, {}};
}

} // namespace

TEST_CASE("a name the connection's actor has not resolved goes to it, counted, until its frames are through",
          "[erlang]") {
  fixture f;
  std::string name;
  auto first = call("echo", 1, atom_of("a"));
  CHECK(f.route.take(first, name) == taken::to_peer_counted);
  CHECK(name == "echo");
  f.route.resolved("echo", f.echo, direct_route::clock::now());
  // Resolved, but the first frame is still with the actor: the second must not overtake it.
  auto second = call("echo", 2, atom_of("b"));
  CHECK(f.route.take(second, name) == taken::to_peer_counted);
  f.route.delivered("echo");
  f.route.delivered("echo");
  auto third = call("echo", 3, atom_of("c"));
  CHECK(f.route.take(third, name) == taken::delivered);
  auto reply = f.received();
  REQUIRE(reply);
  CHECK(reply->op() == dist_op::send);
  CHECK(reply->control == send_control(caller));
  CHECK(reply->payload == tuple_of(3, atom_of("c")));
}

TEST_CASE("a name resolved longer ago than name_max_age goes back to the connection's actor", "[erlang]") {
  fixture f;
  f.route.resolved("echo", f.echo, direct_route::clock::now() - name_max_age);
  std::string name;
  auto message = call("echo", 1, atom_of("a"));
  CHECK(f.route.take(message, name) == taken::to_peer_counted);
}

TEST_CASE(
    "frames for names not exported, for net_kernel and unusable messages stay with the connection's actor",
    "[erlang]") {
  fixture f;
  f.route.resolved("echo", f.echo, direct_route::clock::now());
  std::string name;
  auto hidden = call("shell", 1, atom_of("a"));
  CHECK(f.route.take(hidden, name) == taken::to_peer);
  auto ping = call("net_kernel", 1, tuple_of(atom_of("is_auth"), atom_of("beam@127.0.0.1")));
  CHECK(f.route.take(ping, name) == taken::to_peer);
  dist_message unusable{reg_send_control(caller, "echo"), std::nullopt, "nested too deep"};
  CHECK(f.route.take(unusable, name) == taken::to_peer);
  CHECK(name.empty());
}

TEST_CASE(
    "the monitors of a name are the route's: returned once when the actor ends, its name then resolved again",
    "[erlang]") {
  fixture f;
  f.route.resolved("echo", f.echo, direct_route::clock::now());
  std::string name;
  auto kept = monitor_of("echo", 7);
  CHECK(f.route.take(kept, name) == taken::delivered);
  auto dropped = monitor_of("echo", 8);
  CHECK(f.route.take(dropped, name) == taken::delivered);
  dist_message demonitor{tuple_of(20, caller, atom_of("echo"), 8), std::nullopt, {}};
  CHECK(f.route.take(demonitor, name) == taken::delivered);
  auto down = f.route.gone(f.echo.address());
  REQUIRE(down.size() == 1);
  CHECK(down[0].ref == term(7));
  CHECK(down[0].watcher == caller);
  CHECK(f.route.gone(f.echo.address()).empty());
  auto after = call("echo", 1, atom_of("a"));
  CHECK(f.route.take(after, name) == taken::to_peer_counted);
}
