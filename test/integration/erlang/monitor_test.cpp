// BEAM monitors of registered plugnode actors: GenServer.call monitors the name it calls, so an actor that
// ends mid-call exits the call at once with the actor's exit reason instead of at the call's timeout; a
// Process.monitor of the name gets its DOWN; and the connection's name cache forgets the ended actor (the
// next call is noproc, a new actor under the name answers). The plugnode node runs in this process, so the
// test registers an actor of its own (the app has none that ends on request).
#include <catch2/catch.hpp>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include "beam.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/node.hpp"
#include "plugnode/test/ports.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;
namespace runtime = plugnode::runtime;
namespace erlang = plugnode::erlang;

namespace {

const std::string cookie = "mixed-cookie";

// Answers the call :ping with :pong; the call :die ends it (user_shutdown) without an answer.
caf::behavior fragile(caf::event_based_actor* self, int) {
  return {
      [self](erlang::erlang_call_atom, const erlang::term& request) -> caf::result<erlang::term> {
        if (!request.is_atom("die"))
          return erlang::atom_of("pong");
        auto never = self->make_response_promise<erlang::term>();
        self->quit(caf::exit_reason::user_shutdown);
        return never;
      },
  };
}

bool register_as(caf::scoped_actor& self, runtime::node& n, const std::string& name, const caf::actor& who) {
  bool ok = false;
  self->request(n.agent(), 2s, runtime::register_atom_v, name, who)
      .receive([&](bool registered) { ok = registered; }, [](caf::error&) {});
  return ok;
}

bool said(process& beam, const std::string& text) {
  return eventually([&] { return beam.output().find(text) != std::string::npos; }, 20s);
}

} // namespace

TEST_CASE("a registered actor that ends while BEAM monitors it: the call exits at once, DOWN has the reason",
          "[erlang]") {
  test_epmd epmd;
  runtime::node n(erlang_node_options(epmd, cookie, nullptr, {"fragile"}));
  REQUIRE_FALSE(n.start());
  caf::scoped_actor self{n.system()};
  REQUIRE(register_as(self, n, "fragile", n.system().spawn(fragile, 0)));

  auto beam = start_beam(epmd, beam_name("watcher"), cookie, R"(
n = :"plugnode@127.0.0.2"
call = fn req, tmo -> try do GenServer.call({:fragile, n}, req, tmo) catch :exit, {reason, _} -> reason end end
IO.inspect(call.(:ping, 5000), label: "ping")
t = System.monotonic_time(:millisecond)
IO.inspect(call.(:die, 20000), label: "died")
IO.inspect(System.monotonic_time(:millisecond) - t < 5000, label: "at once")
IO.inspect(call.(:ping, 5000), label: "after")
again = Enum.find_value(1..100, fn _ -> with :noproc <- call.(:ping, 1000), do: (Process.sleep(100); nil) end)
IO.inspect(again, label: "again")
ref = Process.monitor({:fragile, n})
IO.puts("monitoring")
receive do
  {:DOWN, ^ref, :process, who, reason} -> IO.inspect({who, reason}, label: "down")
after 10000 -> IO.puts("no DOWN")
end
)");
  REQUIRE(said(*beam, "after:"));
  auto second = n.system().spawn(fragile, 0);
  REQUIRE(register_as(self, n, "fragile", second));
  REQUIRE(said(*beam, "monitoring"));
  caf::anon_send_exit(second, caf::exit_reason::kill);
  CHECK(beam->wait(20s) == 0);
  auto out = beam->output();
  INFO(out);
  CHECK_THAT(out, Catch::Contains("ping: :pong"));
  CHECK_THAT(out, Catch::Contains("died: :shutdown"));
  CHECK_THAT(out, Catch::Contains("at once: true"));
  CHECK_THAT(out, Catch::Contains("after: :noproc"));
  CHECK_THAT(out, Catch::Contains("again: :pong"));
  CHECK_THAT(out, Catch::Contains("down: {{:fragile, :\"plugnode@127.0.0.2\"}, :killed}"));
}
