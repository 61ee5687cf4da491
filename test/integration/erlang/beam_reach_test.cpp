// What a BEAM node can reach on a plugnode node and what it can make it log: only the exported names (the
// greeter, the `plugnode` rpc module), never the node's own actors; `:erlang` answers its introspection
// calls and refuses the rest (halt included) as undef; a huge message and a flood of stray ones leave the
// log bounded, and nothing is printed raw.
#include <catch2/catch.hpp>

#include <thread>

#include "beam.hpp"
#include "plugnode/test/ports.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

const std::string cookie = "mixed-cookie";

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + what.size()))
    ++n;
  return n;
}

} // namespace

TEST_CASE("a BEAM node reaches only exported names: halt and the node's own actors are refused", "[erlang]") {
  test_epmd epmd;
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), erlang_env(epmd, "127.0.0.2"), cookie);
  auto out = run_beam(epmd, beam_name("prober"), cookie, script_for(node, R"(
call = fn name -> try do GenServer.call({name, n}, :x, 3000) catch :exit, {reason, _} -> reason end end
IO.inspect(:rpc.call(n, :erlang, :halt, []), label: "halt")
IO.inspect((try do :erpc.call(n, :erlang, :halt, [0]) catch :error, {:exception, why, _} -> why end), label: "erpc halt")
for name <- [:erlang, :shell, :discovery, :checker] do
  IO.inspect(call.(name), label: "call #{name}")
  IO.inspect(:rpc.call(n, name, :stop, []), label: "rpc #{name}")
  send({name, n}, {:stop, self()})
  IO.inspect(:rpc.call(n, :erlang, :whereis, [name]), label: "whereis #{name}")
end
send({:plugnode, n}, :stray)
IO.inspect(GenServer.call({:greeter, n}, {:greet, "still here"}), label: "greeter")
IO.inspect(:rpc.call(n, :plugnode, :self, []), label: "rpc module")
)"));
  INFO(out);
  CHECK_THAT(out, Catch::Contains("halt: {:badrpc, {:EXIT, {:undef, [{:erlang, :halt, [], []}]}}}"));
  CHECK_THAT(out, Catch::Contains("erpc halt: :undef"));
  for (auto name : {"erlang", "shell", "discovery", "checker"}) {
    CHECK_THAT(out, Catch::Contains(std::string("call ") + name + ": :noproc"));
    CHECK_THAT(out, Catch::Contains(std::string("rpc ") + name + ": {:badrpc, {:EXIT, {:undef, [{:" + name +
                                    ", :stop, [], []}]}}}"));
    CHECK_THAT(out, Catch::Contains(std::string("whereis ") + name + ": :undefined"));
  }
  CHECK_THAT(out, Catch::Contains(R"(greeter: "Hello, still here!")"));
  CHECK_THAT(out, Catch::Contains("rpc module: :\"" + node.name() + "\""));
  CHECK(node.proc().running());
  CHECK(eventually([&] { return node.proc().output().find("plugnode has no handler") != std::string::npos; },
                   5s));
  CHECK_THAT(node.proc().output(), !Catch::Contains("unexpected message"));
}

TEST_CASE("the introspection calls of :erlang answer for the plugnode node, the rest is undef", "[erlang]") {
  test_epmd epmd;
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), erlang_env(epmd, "127.0.0.2"), cookie);
  auto beam = beam_name("operator");
  auto out = run_beam(epmd, beam, cookie, script_for(node, R"(
IO.inspect(:rpc.call(n, :erlang, :node, []), label: "node")
IO.inspect(:rpc.call(n, :erlang, :nodes, []), label: "nodes")
IO.inspect(:rpc.call(n, :erlang, :nodes, [:hidden]), label: "hidden")
IO.inspect(:rpc.call(n, :erlang, :nodes, [[:this, :connected]]), label: "this and connected")
IO.inspect(:rpc.call(n, :erlang, :system_info, [:otp_release]), label: "otp_release")
IO.inspect(:rpc.call(n, :erlang, :whereis, [:greeter]) |> node(), label: "whereis greeter")
IO.inspect(:rpc.call(n, :erlang, :whereis, [:nobody]), label: "whereis nobody")
send(:rpc.call(n, :erlang, :whereis, [:greeter]), {:via, :whereis})
[total: total] = :rpc.call(n, :erlang, :memory, [])
IO.inspect(total > 1_000_000, label: "memory")
IO.inspect(:rpc.call(n, :erlang, :spawn, [:erlang, :halt, []]), label: "spawn")
IO.inspect(:rpc.call(n, :erlang, :system_info, [:process_count]), label: "process_count")
IO.inspect(:erpc.call(n, :erlang, :node, []), label: "erpc node")
)"));
  INFO(out);
  auto self = ":\"" + node.name() + "\"";
  CHECK_THAT(out, Catch::Contains("node: " + self));
  CHECK_THAT(out, Catch::Contains("nodes: [:\"" + beam + "\"]"));
  CHECK_THAT(out, Catch::Contains("hidden: []"));
  CHECK_THAT(out, Catch::Contains("this and connected: [" + self + ", :\"" + beam + "\"]"));
  CHECK_THAT(out, Catch::Contains("otp_release: 'plugnode "));
  CHECK_THAT(out, Catch::Contains("whereis greeter: " + self));
  CHECK_THAT(out, Catch::Contains("whereis nobody: :undefined"));
  CHECK_THAT(out, Catch::Contains("memory: true"));
  CHECK_THAT(out, Catch::Contains(
                      "spawn: {:badrpc, {:EXIT, {:undef, [{:erlang, :spawn, [:erlang, :halt, []], []}]}}}"));
  CHECK_THAT(out, Catch::Contains("process_count: {:badrpc, {:EXIT, {:undef, [{:erlang, :system_info, "
                                  "[:process_count], []}]}}}"));
  CHECK_THAT(out, Catch::Contains("erpc node: " + self));
  CHECK(eventually(
      [&] { return node.proc().output().find("greeter: got {:via, :whereis}") != std::string::npos; }, 5s));
  CHECK_THAT(node.proc().output(), !Catch::Contains("unexpected message"));
}

TEST_CASE("a 2 MB message and a flood of stray ones leave the node's log bounded", "[erlang]") {
  test_epmd epmd;
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), erlang_env(epmd, "127.0.0.2"), cookie);
  REQUIRE(
      eventually([&] { return node.proc().output().find("listening on http") != std::string::npos; }, 5s));
  auto before = node.proc().output().size();
  auto out = run_beam(epmd, beam_name("flooder"), cookie, script_for(node, R"(
send({:greeter, n}, List.duplicate(7, 2_000_000))
send({:greeter, n}, :binary.copy("a", 2_000_000))
IO.inspect(GenServer.call({:greeter, n}, {:greet, "big"}, 30_000), label: "after big")
for i <- 1..20_000 do
  send({:greeter, n}, {:flood, i})
  send({:plugnode, n}, {:stray, i})
  send({:shell, n}, {:internal, i})
end
for _ <- 1..200, do: :rpc.call(n, :no_such_module, :f, [])
IO.inspect(GenServer.call({:greeter, n}, {:greet, "flood"}, 30_000), label: "after flood")
)"),
                      60s);
  CHECK_THAT(out, Catch::Contains(R"(after big: "Hello, big!")"));
  CHECK_THAT(out, Catch::Contains(R"(after flood: "Hello, flood!")"));
  std::this_thread::sleep_for(6s); // the rate limiter's window ends: its summaries are written too
  auto log = node.proc().output().substr(before);
  INFO(log.substr(0, 4000));
  CHECK(log.size() < 32 * 1024); // 40,000 messages and two of 2 MB; before: 7.9 MB for one of them
  CHECK_THAT(log, Catch::Contains("greeter: got [7, 7, 7"));
  CHECK_THAT(log, Catch::Contains(" bytes)")); // cut, with the whole text's length
  CHECK(count_of(log, "greeter: got") <= 25);
  CHECK(count_of(log, "plugnode has no handler") <= 25);
  CHECK_THAT(log, Catch::Contains("more from"));
  CHECK_THAT(log, !Catch::Contains("unexpected message"));
}

TEST_CASE("the greeter takes every kind of term a BEAM node sends, logs it, and the link stays up",
          "[erlang]") {
  test_epmd epmd;
  running_node node("plugnode", "127.0.0.2", free_port("127.0.0.2"), erlang_env(epmd, "127.0.0.2"), cookie);
  auto out = run_beam(epmd, beam_name("kinds"), cookie, script_for(node, R"(
import Bitwise
terms = [1 <<< 70, fn -> 1 end, &:erlang.node/0, hd(Port.list()), <<1::3>>, make_ref(), self()]
send({:greeter, n}, List.to_tuple([:mix | terms]))
for t <- terms, do: send({:greeter, n}, t)
IO.inspect(GenServer.call({:greeter, n}, {:greet, "after"}), label: "then")
IO.inspect(n in Node.list(:connected), label: "still linked")
)"));
  CHECK_THAT(out, Catch::Contains(R"(then: "Hello, after!")"));
  CHECK_THAT(out, Catch::Contains("still linked: true"));
  CHECK(eventually(
      [&] {
        return node.proc().output().find("greeter: got {:mix, 1180591620717411303424, #Function<") !=
               std::string::npos;
      },
      5s));
  auto log = node.proc().output();
  CHECK_THAT(log, Catch::Contains("&:erlang.node/0, #Port<kinds"));
  CHECK_THAT(log, Catch::Contains("<<1::size(3)>>, #Reference<kinds"));
  CHECK_THAT(log, !Catch::Contains("malformed")); // (node down comes when the script ends)
}
