// runtime::ask and asking an actor by its registered name through the agent, on a real (single) node and
// across two connected nodes in one process.
#include "plugnode/runtime/ask.hpp"

#include <catch2/catch.hpp>

#include <thread>

#include <caf/all.hpp>

#include "plugnode/runtime/node.hpp"
#include "plugnode/test/ports.hpp"
#include "test_nodes.hpp"

using namespace plugnode::runtime;
using namespace std::chrono_literals;

namespace {

// (An argument, since CAF 0.17 dereferences a null pointer spawning a function actor without one.)
caf::behavior doubler(caf::event_based_actor*, int factor) {
  return {[factor](int x) { return x * factor; }};
}

} // namespace

TEST_CASE("ask gives the answer, the actor's error, or request_timeout", "[ask]") {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  auto twice = system.spawn(doubler, 2);
  CHECK(*ask<int>(*self.ptr(), twice, 1s, 21) == 42);
  auto silent =
      system.spawn([](caf::event_based_actor* me,
                      int) -> caf::behavior { return {[me](int) { return me->make_response_promise(); }}; },
                   0);
  auto late = ask<int>(*self.ptr(), silent, 50ms, 1);
  REQUIRE_FALSE(late);
  CHECK(late.error() == caf::sec::request_timeout);
  caf::anon_send_exit(twice, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(silent, caf::exit_reason::user_shutdown);
}

TEST_CASE("an answered ask leaves no timeout behind in the asker's mailbox", "[ask]") {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  caf::scoped_actor self{system};
  auto twice = system.spawn(doubler, 2);
  for (int i = 0; i < 100; ++i)
    REQUIRE(*ask<int>(*self.ptr(), twice, 20ms, i) == 2 * i);
  std::this_thread::sleep_for(100ms); // every timeout would have fired by now
  CHECK(self->mailbox().size() == 0);
  caf::anon_send_exit(twice, caf::exit_reason::user_shutdown);
}

TEST_CASE("a registered actor answers a message sent through the agent, in one request", "[ask]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  node a(testing::listening_on("127.0.0.2", port));
  node b(testing::listening_on("127.0.0.3", port));
  REQUIRE_FALSE(a.start());
  REQUIRE_FALSE(b.start());
  caf::scoped_actor self{a.system()};
  auto twice = a.system().spawn(doubler, 2);
  REQUIRE(*ask<bool>(*self.ptr(), a.agent(), 1s, register_atom_v, std::string("twice"), twice));

  CHECK(*ask<int>(*self.ptr(), a.agent(), 1s, to_registered("twice", 21)) == 42);
  auto missing = ask<int>(*self.ptr(), a.agent(), 1s, to_registered("nobody", 21));
  REQUIRE_FALSE(missing);
  CHECK(is_unknown_name(missing.error()));
  // The wrong question reaches the actor too: its own error comes back, not unknown_name.
  auto wrong = ask<int>(*self.ptr(), a.agent(), 1s, to_registered("twice", std::string("21")));
  REQUIRE_FALSE(wrong);
  CHECK_FALSE(is_unknown_name(wrong.error()));

  // From another node: ask a's agent (its remote handle) and the registered actor on a answers.
  auto remote = b.remote_agent("app@127.0.0.2", 2s);
  REQUIRE(remote);
  caf::scoped_actor other{b.system()};
  CHECK(*ask<int>(*other.ptr(), *remote, 2s, to_registered("twice", 5)) == 10);
  caf::anon_send_exit(twice, caf::exit_reason::user_shutdown);
}
