// BEAM -> plugnode: real Elixir nodes connect to a plugnode node over Erlang's distribution protocol, found
// through the node's own EPMD answer, and talk to it as to any node.
#include <catch2/catch.hpp>

#include <csignal>

#include <httplib.h>

#include "beam.hpp"
#include "plugnode/test/ports.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

const std::string cookie = "mixed-cookie";

} // namespace

TEST_CASE("Node.connect, Node.ping and Node.list see the plugnode node", "[erlang]") {
  test_epmd epmd;
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), erlang_env(epmd, "127.0.0.2"), cookie);
  auto out = run_beam(epmd, beam_name("iex"), cookie, script_for(node, R"(
IO.inspect(Node.connect(n), label: "connect")
IO.inspect(Node.ping(n), label: "ping")
IO.inspect(n in Node.list(:connected), label: "listed")
)"));
  CHECK_THAT(out, Catch::Contains("connect: true"));
  CHECK_THAT(out, Catch::Contains("ping: :pong"));
  CHECK_THAT(out, Catch::Contains("listed: true"));
  CHECK(
      eventually([&] { return node.proc().output().find("erlang: node up: iex") != std::string::npos; }, 5s));
}

TEST_CASE("a wrong cookie: Node.connect is false, the plugnode node logs the peer's name, address and why",
          "[erlang]") {
  test_epmd epmd;
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), erlang_env(epmd, "127.0.0.2"), cookie);
  auto intruder = beam_name("intruder");
  auto out = run_beam(epmd, intruder, "not-the-cookie", script_for(node, R"(
IO.inspect(Node.connect(n), label: "connect")
IO.inspect(Node.ping(n), label: "ping")
)"));
  CHECK_THAT(out, Catch::Contains("connect: false"));
  CHECK_THAT(out, Catch::Contains("ping: :pang"));
  CHECK(eventually(
      [&] { return node.proc().output().find("erlang: handshake with 127.0.0.1:") != std::string::npos; },
      5s));
  CHECK_THAT(node.proc().output(), Catch::Contains("(node " + intruder + ") failed: a wrong cookie"));
  CHECK_THAT(node.proc().output(), !Catch::Contains("node up"));
}

TEST_CASE("plugnode's own dial with a wrong cookie: both sides log the other node and why", "[erlang]") {
  test_epmd epmd;
  auto beam_node = beam_name("strict");
  auto beam = start_beam(epmd, beam_node, "the-beam-cookie", "IO.puts(\"ready\"); Process.sleep(30000)");
  REQUIRE(eventually([&] { return beam->output().find("ready") != std::string::npos; }, 20s));
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), erlang_env(epmd, "127.0.0.2"), cookie);
  CHECK(run_plugnode({"rpc", "ping " + beam_node}, node.client_env()).output == "pang\n");
  CHECK(eventually(
      [&] {
        return node.proc().output().find("erlang: cannot connect to " + beam_node +
                                         ": Erlang's handshake with 127.0.0.1:") != std::string::npos;
      },
      5s));
  CHECK_THAT(node.proc().output(), Catch::Contains("failed: a wrong cookie"));
  CHECK(eventually(
      [&] {
        return beam->output().find("Connection attempt from node :\"" + node.name() + "\" rejected") !=
               std::string::npos;
      },
      5s));
}

TEST_CASE("/cluster shows a BEAM peer at its own port, also in discovery's list", "[erlang]") {
  test_epmd epmd;
  auto dialled = beam_name("found");
  auto beam = start_beam(epmd, dialled, cookie, R"(
{:port, p, _} = :erl_epmd.port_please(node() |> to_string() |> String.split("@") |> hd() |> to_charlist(), {127, 0, 0, 1})
IO.puts("port: #{p}.")
Process.sleep(30000)
)");
  REQUIRE(eventually([&] { return beam->output().find("port: ") != std::string::npos; }, 20s));
  auto out = beam->output();
  auto port = out.substr(out.find("port: ") + 6);
  port = port.substr(0, port.find('.'));
  auto env = erlang_env(epmd, "127.0.0.2");
  env["PLUGNODE_DISCOVERY"] = "static";
  env["PLUGNODE_STATIC_NODES"] = dialled;
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), env, cookie);
  // A second BEAM node dials in: its address is its listening port too, not its connection's source port.
  auto caller = start_beam(epmd, beam_name("caller"), cookie, script_for(node, R"(
true = Node.connect(n)
{:port, p, _} = :erl_epmd.port_please(node() |> to_string() |> String.split("@") |> hd() |> to_charlist(), {127, 0, 0, 1})
IO.puts("port: #{p}.")
Process.sleep(30000)
)"));
  REQUIRE(eventually([&] { return caller->output().find("port: ") != std::string::npos; }, 20s));
  auto caller_out = caller->output();
  auto caller_port = caller_out.substr(caller_out.find("port: ") + 6);
  caller_port = caller_port.substr(0, caller_port.find('.'));
  httplib::Client http(node.address(), node.http_port());
  std::string body;
  CHECK(eventually(
      [&] {
        auto cluster = http.Get("/cluster");
        body = cluster ? cluster->body : "";
        return body.find("\"address\":\"127.0.0.1:" + port + "\"") != std::string::npos;
      },
      10s));
  INFO(body);
  CHECK_THAT(body, Catch::Contains("\"address\":\"127.0.0.1:" + caller_port + "\""));
  CHECK_THAT(body, Catch::Contains("\"port\":" + port + ",\"protocol\":\"erlang\""));
}

TEST_CASE("GenServer.call reaches the greeter, send reaches a registered actor, a missing name is noproc",
          "[erlang]") {
  test_epmd epmd;
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), erlang_env(epmd, "127.0.0.2"), cookie);
  auto out = run_beam(epmd, beam_name("caller"), cookie, script_for(node, R"(
IO.inspect(GenServer.call({:greeter, n}, {:greet, "Torben"}), label: "greet")
IO.inspect(GenServer.call({:greeter, n}, {:greet, 'Erlang'}), label: "charlist")
IO.inspect(GenServer.call({:greeter, n}, :what), label: "unknown")
send({:greeter, n}, {:hello, %{from: "iex", n: [1, 2.5]}})
IO.inspect((try do GenServer.call({:nobody, n}, :x, 5000) catch :exit, {reason, _} -> reason end), label: "nobody")
)"));
  CHECK_THAT(out, Catch::Contains(R"(greet: "Hello, Torben!")"));
  CHECK_THAT(out, Catch::Contains(R"(charlist: "Hello, Erlang!")"));
  CHECK_THAT(out, Catch::Contains("unknown: {:error, {:unknown_request, :what}}"));
  CHECK_THAT(out, Catch::Contains("nobody: :noproc"));
  CHECK(eventually(
      [&] {
        return node.proc().output().find(R"(greeter: got {:hello, %{from: "iex", n: [1, 2.5]}})") !=
               std::string::npos;
      },
      5s));
}

TEST_CASE("ticks keep an idle connection up past the net_ticktime", "[erlang]") {
  test_epmd epmd;
  auto env = erlang_env(epmd, "127.0.0.2");
  env["PLUGNODE_ERLANG_TICKTIME"] = "4s";
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), env, cookie);
  // Both sides at 4 s: without ticks from plugnode the BEAM node would drop it after 4-5 s, and plugnode
  // would drop the BEAM node without answering its ticks.
  auto out = run_beam(epmd, beam_name("idle"), cookie, script_for(node, R"(
:net_kernel.set_net_ticktime(4)
true = Node.connect(n)
Process.sleep(9000)
IO.inspect(n in Node.list(:connected), label: "still connected")
)"));
  CHECK_THAT(out, Catch::Contains("still connected: true"));
  // The BEAM node's exit may already show as "connection closed"; a drop for silence may not.
  CHECK_THAT(node.proc().output(), !Catch::Contains("no tick or message within the net_ticktime"));
}

TEST_CASE("a BEAM node sees nodedown at once when the plugnode node stops, and the reverse", "[erlang]") {
  test_epmd epmd;
  auto env = erlang_env(epmd, "127.0.0.2");
  auto node = std::make_unique<running_node>("plugnode", "127.0.0.2", free_port("127.0.0.2"), env, cookie);
  auto watcher = start_beam(epmd, beam_name("watcher"), cookie, script_for(*node, R"(
true = Node.connect(n)
Node.monitor(n, true)
IO.puts("connected")
receive do
  {:nodedown, ^n} -> IO.puts("nodedown")
after 20000 -> IO.puts("no nodedown")
end
)"));
  REQUIRE(eventually([&] { return watcher->output().find("connected") != std::string::npos; }, 20s));
  auto stopped = std::chrono::steady_clock::now();
  node->proc().signal(SIGKILL);
  REQUIRE(eventually([&] { return watcher->output().find("nodedown") != std::string::npos; }, 10s));
  CHECK(std::chrono::steady_clock::now() - stopped < 5s); // a closed connection, not a tick timeout
  CHECK_THAT(watcher->output(), !Catch::Contains("no nodedown"));

  node = std::make_unique<running_node>("plugnode", "127.0.0.2", free_port("127.0.0.2"), env, cookie);
  auto victim = start_beam(epmd, beam_name("victim"), cookie, script_for(*node, R"(
true = Node.connect(n)
IO.puts("connected")
Process.sleep(60000)
)"));
  REQUIRE(eventually([&] { return victim->output().find("connected") != std::string::npos; }, 20s));
  victim->signal(SIGKILL);
  CHECK(eventually(
      [&] {
        auto log = node->proc().output();
        return log.find("erlang: node down: victim") != std::string::npos &&
               log.find("(connection closed)") != std::string::npos;
      },
      5s));
}

TEST_CASE(":rpc.call(node, :plugnode, command, args) runs the remote shell's commands and returns terms",
          "[erlang]") {
  test_epmd epmd;
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), erlang_env(epmd, "127.0.0.2"), cookie);
  auto out = run_beam(epmd, beam_name("operator"), cookie, script_for(node, R"(
IO.inspect(:rpc.call(n, :plugnode, :self, []), label: "self")
IO.inspect(:rpc.call(n, :plugnode, :nodes, []), label: "nodes")
IO.inspect(:rpc.call(n, :plugnode, :ping, [n]), label: "ping")
IO.inspect(:rpc.call(n, :plugnode, :ping, ["nobody@127.0.0.9"]), label: "pang")
IO.inspect(is_integer(:rpc.call(n, :plugnode, :pid, [])), label: "pid")
IO.inspect(:rpc.call(n, :plugnode, :cluster, []) |> String.contains?("\"node\""), label: "cluster")
IO.inspect(:rpc.call(n, :plugnode, :levitate, []) |> elem(0), label: "unknown")
IO.inspect(:rpc.call(n, :no_such_module, :f, [1]), label: "undef")
IO.inspect(:rpc.call(n, :greeter, :greet, ["x"]) |> elem(0), label: "greeter")
)"));
  CHECK_THAT(out, Catch::Contains("self: :\"" + node.name() + "\""));
  CHECK_THAT(out,
             Catch::Contains("nodes: [:\"operator")); // the calling BEAM node itself, over Erlang's protocol
  CHECK_THAT(out, Catch::Contains("ping: :pong"));
  CHECK_THAT(out, Catch::Contains("pang: :pang"));
  CHECK_THAT(out, Catch::Contains("pid: true"));
  CHECK_THAT(out, Catch::Contains("cluster: true"));
  CHECK_THAT(out, Catch::Contains("unknown: :error"));
  CHECK_THAT(out, Catch::Contains("undef: {:badrpc, {:EXIT, {:undef, [{:no_such_module, :f, [1], []}]}}}"));
  CHECK_THAT(out, Catch::Contains("greeter: :error"));
}
