// plugnode -> BEAM: a plugnode node connects to real Elixir nodes over Erlang's protocol (their EPMD, ei's
// handshake): the remote shell's ping/connect/nodes/disconnect, /cluster, runtime's call/cast with terms, and
// nodeup/nodedown from the Erlang side.
#include <algorithm>
#include <catch2/catch.hpp>

#include <csignal>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <httplib.h>

#include "beam.hpp"
#include "plugnode/erlang/call.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/erlang/term_format.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/node.hpp"
#include "plugnode/test/ports.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;
namespace runtime = plugnode::runtime;
namespace erlang = plugnode::erlang;

namespace {

const std::string cookie = "mixed-cookie";

// An Elixir node with a GenServer registered as :echo that answers {:echo, x} with {:echoed, x} and reports
// every cast it gets; it prints "ready" and lives for 60 s.
const char* echo_node = R"(
defmodule Echo do
  use GenServer
  def init(_), do: {:ok, nil}
  def handle_call({:echo, x}, _from, s), do: {:reply, {:echoed, x}, s}
  def handle_info(msg, s), do: (IO.inspect(msg, label: "echo got"); {:noreply, s})
end
{:ok, _} = GenServer.start(Echo, nil, name: :echo)
IO.puts("ready")
Process.sleep(60000)
)";

} // namespace

TEST_CASE("the remote shell pings, connects, lists and drops a BEAM node, /cluster shows it", "[erlang]") {
  test_epmd epmd;
  auto beam_node = beam_name("beam");
  auto beam = start_beam(epmd, beam_node, cookie, echo_node);
  REQUIRE(eventually([&] { return beam->output().find("ready") != std::string::npos; }, 20s));
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), erlang_env(epmd, "127.0.0.2"), cookie);
  auto env = node.client_env();
  auto ping = run_plugnode({"rpc", "ping " + beam_node}, env);
  CHECK(ping.output == "pong\n");
  auto nodes = run_plugnode({"rpc", "nodes"}, env);
  CHECK(nodes.output == beam_node + " [erlang]\n");
  httplib::Client http(node.address(), node.http_port());
  auto cluster = http.Get("/cluster");
  REQUIRE(cluster);
  CHECK_THAT(cluster->body, Catch::Contains("\"node\":\"" + beam_node + "\""));
  CHECK_THAT(cluster->body, Catch::Contains("\"protocol\":\"erlang\""));
  auto logged = [&](const std::string& line) {
    return eventually([&] { return node.proc().output().find(line) != std::string::npos; }, 5s);
  };
  CHECK(logged("nodeup " + beam_node + " [erlang]"));
  CHECK(run_plugnode({"rpc", "disconnect " + beam_node}, env).output == "true\n");
  CHECK(eventually([&] { return run_plugnode({"rpc", "nodes"}, env).output.empty(); }, 5s));
  CHECK(logged("nodedown " + beam_node + " (disconnect requested) [erlang]"));
  CHECK(run_plugnode({"rpc", "connect " + beam_node}, env).output == "true\n");
  CHECK(run_plugnode({"rpc", "ping nobody@127.0.0.1"}, env).output == "pang\n");
}

TEST_CASE("the shell takes an Elixir or Erlang operator's spellings against a real BEAM node", "[erlang]") {
  test_epmd epmd;
  auto beam_node = beam_name("beam");
  auto beam = start_beam(epmd, beam_node, cookie, echo_node);
  REQUIRE(eventually([&] { return beam->output().find("ready") != std::string::npos; }, 20s));
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), erlang_env(epmd, "127.0.0.2"), cookie);
  auto env = node.client_env();
  auto rpc = [&](const std::string& line) { return run_plugnode({"rpc", line}, env).output; };
  CHECK(rpc("ping :'" + beam_node + "'") == "pong\n");
  CHECK(rpc("Node.ping :\"" + beam_node + "\"") == ":pong\n");
  CHECK(rpc(":net_adm.ping(:\"" + beam_node + "\")") == ":pong\n");
  CHECK(rpc("node()") == ":\"" + node.name() + "\"\n");
  // The rpc client is itself a hidden peer while it asks (remsh-...), as a remote shell is on BEAM.
  CHECK_THAT(rpc("Node.list(:connected)"),
             Catch::StartsWith("[:\"" + beam_node + "\", :\"remsh-") && Catch::EndsWith("]\n"));
  CHECK_THAT(rpc("Node.list(:hidden)"), Catch::StartsWith("[:\"remsh-") && !Catch::Contains(beam_node));
  CHECK(rpc("Node.list") == "[:\"" + beam_node + "\"]\n");
  CHECK_THAT(rpc("help"), Catch::Contains("Node.list(:hidden)"));
}

TEST_CASE(
    "runtime's call_erlang and cast_erlang reach a registered BEAM process, the agent reports its nodeup "
    "and nodedown",
    "[erlang]") {
  test_epmd epmd;
  auto beam_node = beam_name("beam");
  auto beam = start_beam(epmd, beam_node, cookie, echo_node);
  REQUIRE(eventually([&] { return beam->output().find("ready") != std::string::npos; }, 20s));
  runtime::node n(erlang_node_options(epmd, cookie));
  REQUIRE_FALSE(n.start());
  caf::scoped_actor self{n.system()};
  // The agent's subscribers hear of BEAM nodes as of any other.
  bool subscribed = false;
  self->request(n.agent(), 2s, runtime::monitor_nodes_atom_v, caf::actor{self})
      .receive([&] { subscribed = true; }, [](caf::error&) {});
  REQUIRE(subscribed);

  auto reply = erlang::call_erlang(self, n.agent(), "echo", beam_node,
                                   erlang::tuple_of(erlang::atom_of("echo"), erlang::binary_of("hi")), 5s);
  REQUIRE(reply);
  CHECK(erlang::to_string(*reply) == R"({:echoed, "hi"})");
  bool up = false;
  self->receive([&](runtime::nodeup_atom, const std::string& who) { up = who == beam_node; },
                caf::after(5s) >> [] {});
  CHECK(up);
  CHECK_FALSE(erlang::cast_erlang(self, n.agent(), "echo", beam_node, erlang::list_of(1, 2)));
  CHECK(eventually([&] { return beam->output().find("echo got: [1, 2]") != std::string::npos; }, 5s));
  auto side = erlang::erlang_side_of(self, n.agent());
  REQUIRE(side);
  erlang::cast_erlang(self, *side, "echo", beam_node, erlang::list_of(3));
  CHECK(eventually([&] { return beam->output().find("echo got: [3]") != std::string::npos; }, 5s));
  auto again =
      erlang::call_erlang(self, *side, "echo", beam_node, erlang::tuple_of(erlang::atom_of("echo"), 1), 5s);
  REQUIRE(again);
  CHECK(erlang::to_string(*again) == "{:echoed, 1}");
  auto missing = erlang::call_erlang(self, n.agent(), "echo", "nobody@127.0.0.1", erlang::term(), 2s);
  CHECK_FALSE(missing);

  beam->signal(SIGKILL);
  std::string down_reason;
  self->receive(
      [&](runtime::nodedown_atom, const std::string&, const std::string& why) { down_reason = why; },
      caf::after(5s) >> [] {});
  CHECK(down_reason == "connection closed");
}

TEST_CASE("discovery connects a discovered BEAM node with Erlang's protocol, plugnode nodes with their own",
          "[erlang]") {
  test_epmd epmd;
  auto beam_node = beam_name("beam");
  auto beam = start_beam(epmd, beam_node, cookie, echo_node);
  REQUIRE(eventually([&] { return beam->output().find("ready") != std::string::npos; }, 20s));
  auto dist_port = free_port("127.0.0.2");
  running_node other("plugnode", "127.0.0.3", dist_port, erlang_env(epmd, "127.0.0.3"), cookie);
  auto env = erlang_env(epmd, "127.0.0.2");
  env["PLUGNODE_DISCOVERY"] = "static";
  env["PLUGNODE_STATIC_NODES"] = beam_node + "," + other.name();
  running_node node("plugnode", "127.0.0.2", dist_port, env, cookie);
  // One line per node, sorted by name, BEAM nodes marked.
  auto expected = std::min(other.name() + "\n", beam_node + " [erlang]\n") +
                  std::max(other.name() + "\n", beam_node + " [erlang]\n");
  std::string listed;
  eventually(
      [&] {
        listed = run_plugnode({"rpc", "nodes"}, node.client_env()).output;
        return listed == expected;
      },
      15s);
  CHECK(listed == expected);
}
