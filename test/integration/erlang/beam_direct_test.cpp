// The direct route of a BEAM node's frames (runtime/erlang/src/dist/erlang_direct.hpp): a BEAM process's
// messages and calls to one name keep their order while the route hands the name to the connection's actor
// and back (its first lookup, and again each time the cached name ages out), a call's reply far larger than
// one socket write, written on the thread that answers, arrives whole, and a handler that blocks on one
// connection's reader holds no other connection. The plugnode node runs in this process with actors of the
// test's own, exported to BEAM.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

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

const std::string cookie = "direct-cookie";

// Counts the `{:seq, i}` messages sent to it and those that did not follow the one before; answers the calls
// :count, :out_of_order and `{:echo, x}` (with x).
class recorder : public caf::event_based_actor {
public:
  using caf::event_based_actor::event_based_actor;

  caf::behavior make_behavior() override {
    erlang::quiet_unexpected(this, "recorder");
    return {
        [this](erlang::erlang_call_atom, const erlang::term& request) -> erlang::term {
          if (request.is_atom("count"))
            return count_;
          if (request.is_atom("out_of_order"))
            return out_of_order_;
          auto echo = request.get_if<erlang::tuple>();
          return echo && echo->elements.size() == 2 ? echo->elements[1] : erlang::atom_of("unknown");
        },
        [this](erlang::erlang_send_atom, const erlang::term& message) {
          auto seq = message.get_if<erlang::tuple>();
          auto i = seq && seq->elements.size() == 2 ? seq->elements[1].get_if<std::int64_t>() : nullptr;
          if (i == nullptr)
            return;
          if (*i != last_ + 1)
            ++out_of_order_;
          last_ = *i;
          ++count_;
        },
    };
  }

private:
  std::int64_t last_ = 0;
  std::int64_t count_ = 0;
  std::int64_t out_of_order_ = 0;
};

// Answers the call :block once `release` is set (15 s at most), telling `blocking` that it waits; any other
// call at once.
class blocker : public caf::event_based_actor {
public:
  blocker(caf::actor_config& cfg, std::atomic<bool>* blocking, std::atomic<bool>* release)
      : caf::event_based_actor(cfg), blocking_(blocking), release_(release) {}

  caf::behavior make_behavior() override {
    erlang::quiet_unexpected(this, "blocker");
    return {
        [this](erlang::erlang_call_atom, const erlang::term& request) {
          if (!request.is_atom("block"))
            return erlang::atom_of("ok");
          *blocking_ = true;
          auto until = std::chrono::steady_clock::now() + 15s;
          while (!*release_ && std::chrono::steady_clock::now() < until)
            std::this_thread::sleep_for(10ms);
          return erlang::atom_of("released");
        },
    };
  }

private:
  std::atomic<bool>* blocking_;
  std::atomic<bool>* release_;
};

void register_as(runtime::node& n, const std::string& name, const caf::actor& actor) {
  caf::scoped_actor self{n.system()};
  bool registered = false;
  self->request(n.agent(), 2s, runtime::register_atom_v, name, actor)
      .receive([&](bool ok) { registered = ok; }, [](caf::error&) {});
  REQUIRE(registered);
}

void register_recorder(runtime::node& n) {
  register_as(n, "recorder", n.system().spawn<recorder>());
}

} // namespace

TEST_CASE("a BEAM process's sends and calls to a name keep their order across the name cache's lookups",
          "[erlang]") {
  test_epmd epmd;
  runtime::node n(erlang_node_options(epmd, cookie, nullptr, {"recorder"}));
  REQUIRE_FALSE(n.start());
  register_recorder(n);
  // 12 bursts 200 ms apart: the name is looked up first and again after each second (erlang_peer_names.hpp's
  // name_max_age), each time while a burst is under way; every call must see all the sends before it.
  auto out = run_beam(epmd, beam_name("order"), cookie, R"(
n = :"plugnode@127.0.0.2"
counts = for round <- 1..12 do
  for i <- 1..3000, do: send({:recorder, n}, {:seq, (round - 1) * 3000 + i})
  c = GenServer.call({:recorder, n}, :count, 5000)
  Process.sleep(200)
  c
end
IO.inspect(counts == Enum.map(1..12, &(&1 * 3000)), label: "calls after their sends")
IO.inspect(GenServer.call({:recorder, n}, :out_of_order, 5000), label: "out of order")
)");
  CHECK_THAT(out, Catch::Contains("calls after their sends: true"));
  CHECK_THAT(out, Catch::Contains("out of order: 0"));
}

TEST_CASE("a call's 10 MB reply, written by the answering thread, arrives whole and the link stays up",
          "[erlang]") {
  test_epmd epmd;
  runtime::node n(erlang_node_options(epmd, cookie, nullptr, {"recorder"}));
  REQUIRE_FALSE(n.start());
  register_recorder(n);
  auto out = run_beam(epmd, beam_name("big"), cookie, R"(
n = :"plugnode@127.0.0.2"
GenServer.call({:recorder, n}, :count, 5000)
big = :crypto.strong_rand_bytes(10_000_000)
IO.inspect(Enum.all?(1..3, fn _ -> GenServer.call({:recorder, n}, {:echo, big}, 20_000) == big end), label: "echoed")
IO.inspect(GenServer.call({:recorder, n}, :count, 5000), label: "then")
)");
  CHECK_THAT(out, Catch::Contains("echoed: true"));
  CHECK_THAT(out, Catch::Contains("then: 0"));
}

TEST_CASE("a handler that blocks on one BEAM node's connection holds up no other connection", "[erlang]") {
  test_epmd epmd;
  runtime::node n(erlang_node_options(epmd, cookie, nullptr, {"recorder", "blocker"}));
  REQUIRE_FALSE(n.start());
  register_recorder(n);
  std::atomic<bool> blocking{false}, release{false};
  register_as(n, "blocker", n.system().spawn<blocker>(&blocking, &release));
  // The blocker's name is resolved by a first call that goes through the connection's actor; the second
  // call is delivered by the reader, and it wakes the idle blocker, so the reader runs the blocking handler.
  std::string blocked;
  std::thread first([&] {
    blocked = run_beam(epmd, beam_name("held"), cookie, R"(
n = :"plugnode@127.0.0.2"
:ok = GenServer.call({:blocker, n}, :warm, 5000)
IO.inspect(GenServer.call({:blocker, n}, :block, 20_000), label: "held")
)");
  });
  auto started = std::chrono::steady_clock::now();
  while (!blocking && std::chrono::steady_clock::now() - started < 30s)
    std::this_thread::sleep_for(10ms);
  CHECK(blocking);
  auto other = run_beam(epmd, beam_name("other"), cookie, R"(
n = :"plugnode@127.0.0.2"
{us, count} = :timer.tc(fn -> GenServer.call({:recorder, n}, :count, 5000) end)
IO.inspect(count, label: "answered")
IO.inspect(us < 1_000_000, label: "within 1 s")
)");
  release = true;
  first.join();
  CHECK_THAT(other, Catch::Contains("answered: 0"));
  CHECK_THAT(other, Catch::Contains("within 1 s: true"));
  CHECK_THAT(blocked, Catch::Contains("held: :released"));
}
