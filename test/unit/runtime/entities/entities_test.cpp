// Sharded entities on two nodes in one process: calls from either node reach one instance per key, a
// graceful stop hands every entity over with its state, idle ones are passivated, unknown types are errors
// (the 3- and 4-process tests are test/integration/cluster/entities_test.cpp).
#include "plugnode/runtime/entities.hpp"

#include <set>
#include <thread>

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "../node/test_nodes.hpp"
#include "plugnode/test/ports.hpp"

using namespace plugnode::runtime;
using namespace std::chrono_literals;
using plugnode::runtime::testing::listening_on;

namespace {

using inc_atom = caf::atom_constant<caf::atom("inc")>;
using where_atom = caf::atom_constant<caf::atom("where")>;
using crash_atom = caf::atom_constant<caf::atom("crash")>;

// A counter that says where it lives and hands its count over when it moves.
entity_type counter(const std::string& node, std::chrono::milliseconds idle = 0ms) {
  entity_type type;
  type.name = "counter";
  type.idle = idle;
  type.hands_off = true;
  type.start = [node](caf::event_based_actor* self, const std::string&,
                      const std::string& state) -> caf::behavior {
    auto count = std::make_shared<std::uint64_t>(state.empty() ? 0 : std::stoull(state));
    return {
        [count](inc_atom) { return ++*count; },
        [node](where_atom) { return node; },
        [self](crash_atom) { self->quit(caf::make_error(caf::sec::runtime_error, "crash requested")); },
        [count](entity_handoff_atom) { return std::to_string(*count); },
    };
  };
  return type;
}

node_options hosting(const std::string& address, std::uint16_t port, std::chrono::milliseconds idle = 0ms) {
  auto options = listening_on(address, port);
  options.entity_types = {counter("app@" + address, idle)};
  return options;
}

template <class F> bool soon(F probe) {
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!probe()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

std::uint64_t hosts(node& n) {
  auto figures = entities_figures(n);
  return figures.empty() ? 0 : figures.front().hosts;
}

} // namespace

TEST_CASE("keys are spread over the hosts and each has one instance, whichever node calls", "[entities]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  node a(hosting("127.0.0.2", port)), b(hosting("127.0.0.3", port));
  REQUIRE_FALSE(a.start());
  REQUIRE_FALSE(b.start());
  REQUIRE(a.remote_agent("app@127.0.0.3", 2s));
  REQUIRE(soon([&] { return hosts(a) == 2 && hosts(b) == 2; }));
  caf::scoped_actor on_a{a.system()}, on_b{b.system()};
  std::set<std::string> places;
  for (int k = 0; k < 40; ++k) {
    auto key = "key-" + std::to_string(k);
    CHECK(entity_call<std::uint64_t>(*on_a.ptr(), a, "counter", key, 2s, inc_atom::value) == 1u);
    CHECK(entity_call<std::uint64_t>(*on_b.ptr(), b, "counter", key, 2s, inc_atom::value) == 2u);
    places.insert(*entity_call<std::string>(*on_b.ptr(), b, "counter", key, 2s, where_atom::value));
  }
  CHECK(places == std::set<std::string>{"app@127.0.0.2", "app@127.0.0.3"});
  auto fa = entities_figures(a).front(), fb = entities_figures(b).front();
  CHECK(fa.active + fb.active == 40);
  CHECK(fa.activations + fb.activations == 40);
  auto unknown = entity_call<std::uint64_t>(*on_a.ptr(), a, "nobody", "k", 2s, inc_atom::value);
  REQUIRE_FALSE(unknown);
  CHECK_THAT(a.system().render(unknown.error()), Catch::Contains("no node hosts entity type nobody"));
}

TEST_CASE("a graceful stop hands every entity with its state to the remaining host", "[entities]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  node a(hosting("127.0.0.2", port));
  REQUIRE_FALSE(a.start());
  caf::scoped_actor on_a{a.system()};
  {
    node b(hosting("127.0.0.3", port));
    REQUIRE_FALSE(b.start());
    REQUIRE(a.remote_agent("app@127.0.0.3", 2s));
    REQUIRE(soon([&] { return hosts(a) == 2 && hosts(b) == 2; }));
    for (int k = 0; k < 40; ++k)
      for (int i = 0; i < 3; ++i)
        REQUIRE(entity_call<std::uint64_t>(*on_a.ptr(), a, "counter", "key-" + std::to_string(k), 2s,
                                           inc_atom::value));
    CHECK(entities_figures(b).front().active > 0);
    b.leave();
    CHECK(entities_figures(b).front().active == 0);
  }
  for (int k = 0; k < 40; ++k)
    CHECK(entity_call<std::uint64_t>(*on_a.ptr(), a, "counter", "key-" + std::to_string(k), 2s,
                                     inc_atom::value) == 4u);
  CHECK(entities_figures(a).front().active == 40);
}

TEST_CASE("an idle entity is passivated and starts fresh on its next use", "[entities]") {
  node a(hosting("127.0.0.2", 0, 100ms));
  REQUIRE_FALSE(a.start());
  caf::scoped_actor self{a.system()};
  CHECK(entity_call<std::uint64_t>(*self.ptr(), a, "counter", "k", 2s, inc_atom::value) == 1u);
  CHECK(entity_call<std::uint64_t>(*self.ptr(), a, "counter", "k", 2s, inc_atom::value) == 2u);
  REQUIRE(soon([&] { return entities_figures(a).front().passivations == 1; }));
  CHECK(entities_figures(a).front().active == 0);
  CHECK(entity_call<std::uint64_t>(*self.ptr(), a, "counter", "k", 2s, inc_atom::value) == 1u);
}

TEST_CASE("an entity that crashes ends alone: its key starts fresh, the others keep their counts",
          "[entities]") {
  node a(hosting("127.0.0.2", 0));
  REQUIRE_FALSE(a.start());
  caf::scoped_actor self{a.system()};
  CHECK(entity_call<std::uint64_t>(*self.ptr(), a, "counter", "k", 2s, inc_atom::value) == 1u);
  CHECK(entity_call<std::uint64_t>(*self.ptr(), a, "counter", "other", 2s, inc_atom::value) == 1u);
  entity_send(self.ptr(), a, "counter", "k", crash_atom::value);
  REQUIRE(soon([&] {
    auto figures = entities_figures(a); // none when the region is gone
    return !figures.empty() && figures.front().active == 1;
  }));
  CHECK(entity_call<std::uint64_t>(*self.ptr(), a, "counter", "k", 2s, inc_atom::value) == 1u);
  CHECK(entity_call<std::uint64_t>(*self.ptr(), a, "counter", "other", 2s, inc_atom::value) == 2u);
}

namespace {

// The previous owner of a key as a region answers a claim (with its state), slow: it answers on `ok`. It
// tells `watcher` when the claim has come.
caf::behavior previous_owner(caf::event_based_actor* self, caf::actor watcher, std::string state) {
  auto pending = std::make_shared<std::vector<caf::response_promise>>();
  return {
      [self, watcher, pending](ent_claim_atom, const std::string&, const std::string&) {
        pending->push_back(self->make_response_promise());
        self->send(watcher, ent_claim_atom_v);
        return pending->back();
      },
      [pending, state](caf::ok_atom) {
        for (auto& rp : *pending)
          rp.deliver(std::vector<std::string>{state});
      },
  };
}

} // namespace

TEST_CASE("a key forwarded by a region that knows its previous owner is claimed from there, and a claim "
          "that comes while the key moves in is answered after it",
          "[entities]") {
  // d has just joined: it hosts the type but knows no other host yet, while the region that forwards it a
  // key knows where the key lived (the hop names it). By its own view alone d would start the key fresh.
  node d(hosting("127.0.0.5", 0));
  REQUIRE_FALSE(d.start());
  caf::scoped_actor forwarder{d.system()}, watcher{d.system()}, other{d.system()};
  auto before = d.system().spawn(previous_owner, caf::actor{watcher}, std::string("3"));
  auto call = forwarder->request(d.entities(), 2s, ent_call_atom_v, std::string("counter"), std::string("k"),
                                 std::int32_t{1}, caf::make_message(inc_atom::value), before);
  bool claimed = false;
  watcher->receive([&](ent_claim_atom) { claimed = true; }, caf::after(2s) >> [] {});
  REQUIRE(claimed);
  // Another region claims k while it moves to d: answered once d has it, with the state after the call.
  auto claim = other->request(d.entities(), 2s, ent_claim_atom_v, std::string("counter"), std::string("k"));
  watcher->send(before, caf::ok_atom_v);
  std::uint64_t count = 0;
  call.receive([&](std::uint64_t n) { count = n; }, [](caf::error&) {});
  CHECK(count == 4u);
  std::vector<std::string> given{"no answer"};
  claim.receive([&](const std::vector<std::string>& state) { given = state; }, [](caf::error&) {});
  CHECK(given == std::vector<std::string>{"4"});
}
