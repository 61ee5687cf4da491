// broker_end: a broker that ends lets go of the messages left in its mailbox, as any actor does. One it
// sent itself (as the agent's heartbeat ticks) held it for ever before: without end_like_an_actor, CAF 0.17
// keeps an ended broker's mailbox, and the broker with it.
#include "dist/broker_end.hpp"

#include <memory>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/scoped_actor.hpp>
#include <catch2/catch.hpp>

#include "plugnode/test/process.hpp"

using namespace std::chrono_literals;

namespace {

using stop_atom = caf::atom_constant<caf::atom("stop")>;

// Quits with a message to itself still in its mailbox.
caf::behavior quits_with_own_message(caf::io::broker* self, int) {
  plugnode::runtime::detail::end_like_an_actor(self);
  return {
      [=](stop_atom) {
        self->send(self, 1);
        self->quit();
      },
      [](int) {},
  };
}

struct system_with_middleman {
  caf::actor_system_config cfg;
  std::unique_ptr<caf::actor_system> system;
  system_with_middleman() {
    cfg.load<caf::io::middleman>();
    system = std::make_unique<caf::actor_system>(cfg);
  }
};

} // namespace

TEST_CASE("a broker that ends with a message to itself in its mailbox is destroyed", "[broker_end]") {
  system_with_middleman node;
  caf::weak_actor_ptr weak;
  {
    auto broker = node.system->middleman().spawn_broker(quits_with_own_message, 0);
    weak = caf::actor_cast<caf::weak_actor_ptr>(broker);
    caf::scoped_actor self{*node.system};
    self->monitor(broker);
    self->send(broker, stop_atom::value);
    bool down = false;
    self->receive([&](const caf::down_msg&) { down = true; }, caf::after(5s) >> [] {});
    REQUIRE(down);
  }
  // No handle to the ended broker is left, so its object goes: upgrading a weak handle fails.
  CHECK(plugnode::test::eventually([&] { return !caf::actor_cast<caf::strong_actor_ptr>(weak); }, 2s));
}
