// Every kind of term a BEAM node sends (big integers, funs and export funs, ports, bitstrings, references,
// pids, and all of them in one message) reaches a plugnode actor, comes back equal (`==` on the BEAM side),
// and never drops the link; a fun handed back is called on its node. The plugnode node runs in this
// process with an echo actor of the test's own, exported to BEAM.
#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "beam.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/node.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;
namespace runtime = plugnode::runtime;
namespace erlang = plugnode::erlang;

namespace {

const std::string cookie = "mixed-cookie";

// Answers a call with the request itself; keeps the last message sent to it, which the call :last returns.
class echo : public caf::event_based_actor {
public:
  using caf::event_based_actor::event_based_actor;

  caf::behavior make_behavior() override {
    erlang::quiet_unexpected(this, "echo");
    return {
        [this](erlang::erlang_call_atom, const erlang::term& request) {
          return request.is_atom("last") ? last_ : request;
        },
        [this](erlang::erlang_send_atom, const erlang::term& message) { last_ = message; },
    };
  }

private:
  erlang::term last_;
};

// The terms of each kind, in Elixir; `n` is the plugnode node.
const char* kinds = R"(
import Bitwise
n = :"plugnode@127.0.0.2"
terms = [1 <<< 70, -(1 <<< 70), 1 <<< 2100, 1 <<< 63, fn -> :called end, &:erlang.node/0, &Enum.map/2,
         hd(Port.list()), <<1::3>>, <<255, 7::5>>, make_ref(), self(), Node.self(), 1.5, "text", 'chars',
         [1 | :improper], %{<<1::1>> => fn x -> x end, [1 <<< 64] => {}}]
mix = List.to_tuple(terms)
call = fn req -> GenServer.call({:echo, n}, req, 5000) end
IO.inspect(Enum.map(terms, &(call.(&1) == &1)) |> Enum.all?(), label: "each equal")
IO.inspect(call.(mix) == mix, label: "mix equal")
for t <- terms ++ [mix], do: send({:echo, n}, t)
IO.inspect(call.(:last) == mix, label: "sent equal")
f = call.(fn -> :called_here end)
IO.inspect(f.(), label: "fun called")
IO.inspect(call.(&:erlang.node/0).(), label: "export fun called")
IO.inspect(n in Node.list(:connected), label: "still linked")
)";

} // namespace

TEST_CASE("each kind of term from a BEAM node comes back equal, and the link stays up", "[erlang]") {
  test_epmd epmd;
  runtime::node n(erlang_node_options(epmd, cookie, nullptr, {"echo"}));
  REQUIRE_FALSE(n.start());
  caf::scoped_actor self{n.system()};
  bool registered = false;
  self->request(n.agent(), 2s, runtime::register_atom_v, std::string("echo"), n.system().spawn<echo>())
      .receive([&](bool ok) { registered = ok; }, [](caf::error&) {});
  REQUIRE(registered);
  auto beam = beam_name("terms");
  auto out = run_beam(epmd, beam, cookie, kinds);
  CHECK_THAT(out, Catch::Contains("each equal: true"));
  CHECK_THAT(out, Catch::Contains("mix equal: true"));
  CHECK_THAT(out, Catch::Contains("sent equal: true"));
  CHECK_THAT(out, Catch::Contains("fun called: :called_here"));
  CHECK_THAT(out, Catch::Contains("export fun called: :\"" + beam + "\""));
  CHECK_THAT(out, Catch::Contains("still linked: true"));
}

TEST_CASE("Node.spawn gets BEAM's refusal for a node that cannot spawn, and the link stays up", "[erlang]") {
  test_epmd epmd;
  runtime::node n(erlang_node_options(epmd, cookie, nullptr, {"echo"}));
  REQUIRE_FALSE(n.start());
  caf::scoped_actor self{n.system()};
  self->request(n.agent(), 2s, runtime::register_atom_v, std::string("echo"), n.system().spawn<echo>())
      .receive([](bool) {}, [](caf::error&) {});
  auto out = run_beam(epmd, beam_name("spawner"), cookie, R"(
n = :"plugnode@127.0.0.2"
p = Node.spawn(n, fn -> 1 end)
ref = Process.monitor(p)
receive do {:DOWN, ^ref, :process, _, why} -> IO.inspect(why, label: "spawned exits") after 5000 -> :none end
IO.inspect(n in Node.list(:connected), label: "still linked")
IO.inspect(GenServer.call({:echo, n}, :after, 5000), label: "then")
)");
  CHECK_THAT(out, Catch::Contains("Can not start")); // BEAM's own warning for a node that refuses a spawn
  CHECK_THAT(out, Catch::Contains("spawned exits: :notsup"));
  CHECK_THAT(out, Catch::Contains("still linked: true"));
  CHECK_THAT(out, Catch::Contains("then: :after"));
}
