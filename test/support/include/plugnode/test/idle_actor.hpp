// spawn_idle: an actor that does nothing but live (a group member, a subscriber, a name to register), for
// tests. CAF 0.17 spawns a function actor without arguments through a null pointer (undefined behaviour the
// sanitizer build stops on), so the function takes one argument it ignores.
#pragma once

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

namespace plugnode::test {

inline caf::actor spawn_idle(caf::actor_system& system) {
  return system.spawn([](caf::event_based_actor*, int) -> caf::behavior { return {[](int) {}}; }, 0);
}

} // namespace plugnode::test
