#include "plugnode/runtime/node.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <future>

#include <caf/all.hpp>

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/ask.hpp"
#include "plugnode/runtime/net/sockets.hpp"
#include "plugnode/test/ports.hpp"
#include "test_nodes.hpp"

using namespace plugnode::runtime;
using namespace std::chrono_literals;

using plugnode::runtime::testing::listening_on;

TEST_CASE("a listening node refuses to start without a cookie", "[node]") {
  auto options = listening_on("127.0.0.2", plugnode::test::free_port("127.0.0.2"));
  options.cookie.clear();
  node n(options);
  auto error = n.start();
  REQUIRE(error);
  CHECK_THAT(*error, Catch::Contains("no cookie"));
}

TEST_CASE("a single-node (non-listening) node needs no cookie and has no peers", "[node]") {
  node_options options;
  options.name = *node_name::parse("solo@127.0.0.1");
  options.listen = false;
  node n(options);
  REQUIRE_FALSE(n.start());
  caf::scoped_actor self{n.system()};
  std::vector<std::string> peers{"x"};
  self->request(n.agent(), 1s, nodes_atom_v)
      .receive([&](std::vector<std::string>& xs) { peers = xs; }, [](caf::error&) {});
  CHECK(peers.empty());
}

TEST_CASE("a taken port is a clear start-up error", "[node]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  node first(listening_on("127.0.0.2", port));
  REQUIRE_FALSE(first.start());
  CHECK(first.port() == port);
  node second(listening_on("127.0.0.2", port));
  auto error = second.start();
  REQUIRE(error);
  CHECK_THAT(*error, Catch::Contains("cannot listen on 127.0.0.2:" + std::to_string(port)));
}

TEST_CASE("a failure bound shorter than the heartbeat interval is refused", "[node]") {
  auto options = listening_on("127.0.0.2", 0);
  options.failure_bound = 100ms;
  options.heartbeat_interval = 200ms;
  node n(options);
  REQUIRE(n.start());
}

TEST_CASE("two nodes in one process connect and list each other", "[node]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  node a(listening_on("127.0.0.2", port));
  node b(listening_on("127.0.0.3", port));
  REQUIRE_FALSE(a.start());
  REQUIRE_FALSE(b.start());
  auto remote = a.remote_agent("app@127.0.0.3", 2s);
  REQUIRE(remote);
  caf::scoped_actor self{a.system()};
  std::vector<std::string> seen;
  self->request(*remote, 1s, nodes_atom_v)
      .receive([&](std::vector<std::string>& xs) { seen = xs; }, [](caf::error&) {});
  CHECK(seen == std::vector<std::string>{"app@127.0.0.2"});
  CHECK_FALSE(a.remote_agent("app@127.0.0.9", 2s));
}

TEST_CASE("one request lists the peers by kind: visible, hidden, BEAM", "[node]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  node a(listening_on("127.0.0.2", port));
  node b(listening_on("127.0.0.3", port));
  auto shell_options = hidden_client_options(port, "unit-cookie");
  node shell(shell_options);
  REQUIRE_FALSE(a.start());
  REQUIRE_FALSE(b.start());
  REQUIRE_FALSE(shell.start());
  REQUIRE(b.remote_agent("app@127.0.0.2", 2s));
  REQUIRE(shell.remote_agent("app@127.0.0.2", 2s));
  caf::scoped_actor self{a.system()};
  auto kinds = ask<node_kinds>(*self.ptr(), a.agent(), 1s, nodes_atom_v, kinds_atom_v);
  REQUIRE(kinds);
  CHECK(kinds->visible == std::vector<std::string>{"app@127.0.0.3"});
  CHECK(kinds->hidden == std::vector<std::string>{shell_options.name.to_string()});
  CHECK(kinds->beam.empty()); // BEAM peers: test/integration/erlang (Node.list over the shell)
}

// Two nodes dialling each other at once: one side's own handshake can lose its connection (CAF keeps one per
// pair). Here a's dial goes to a port that accepts and never answers, so it can only end at its deadline:
// b's dial authenticating the pair must answer a's connect at once, and with true.
TEST_CASE("a connect is answered as soon as the peer authenticates through its own dial", "[node]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  auto options = listening_on("127.0.0.2", port);
  options.connect_timeout = 3s;
  node a(options);
  node b(listening_on("127.0.0.3", port));
  REQUIRE_FALSE(a.start());
  REQUIRE_FALSE(b.start());
  std::string error;
  auto silent_port = plugnode::test::free_port("127.0.0.3");
  int silent = net::open_listener("127.0.0.3", silent_port, 8, error); // accepts in the kernel, says nothing
  REQUIRE(silent >= 0);
  auto dial = std::async(std::launch::async, [&] {
    caf::scoped_actor self{a.system()};
    auto start = std::chrono::steady_clock::now();
    auto target = connect_target{*node_name::parse("app@127.0.0.3"), silent_port, {"127.0.0.3"}};
    auto up = ask<bool>(*self.ptr(), a.agent(), 10s, caf::connect_atom_v, target);
    return std::pair{up && *up, std::chrono::steady_clock::now() - start};
  });
  std::this_thread::sleep_for(200ms); // a's dial is waiting on the silent port
  REQUIRE(b.remote_agent("app@127.0.0.2", 2s));
  auto [up, took] = dial.get();
  CHECK(up);
  CHECK(took < 1500ms); // not a's own deadline (3 s)
  ::close(silent);
}

TEST_CASE("peer host names go through the injected resolver", "[node]") {
  auto port = plugnode::test::free_port("127.0.0.3");
  auto b_options = listening_on("127.0.0.3", port);
  b_options.name = *node_name::parse("app@node-b.cluster.test");
  b_options.bind_address = "127.0.0.3";
  node b(b_options);
  REQUIRE_FALSE(b.start());
  std::vector<std::string> asked;
  auto a_options = listening_on("127.0.0.2", port);
  a_options.resolver = [&asked](const std::string& host) {
    asked.push_back(host);
    return host == "node-b.cluster.test" ? resolve_result{{"127.0.0.3"}, ""} : resolve_result{{}, "NXDOMAIN"};
  };
  node a(a_options);
  REQUIRE_FALSE(a.start());
  CHECK(a.remote_agent("app@node-b.cluster.test", 2s));
  CHECK_FALSE(a.remote_agent("app@nowhere.cluster.test", 2s));
  CHECK(asked == std::vector<std::string>{"node-b.cluster.test", "nowhere.cluster.test"});
}
