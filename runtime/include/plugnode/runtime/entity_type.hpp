// entity_type: how a service declares a kind of sharded entity (virtual actor); see entities.hpp for how
// they are reached and moved. A type is a name, how to start one, when to stop an idle one, and whether it
// hands its state over when it moves.
#pragma once

#include <chrono>
#include <functional>
#include <string>

#include <caf/atom.hpp>
#include <caf/behavior.hpp>
#include <caf/fwd.hpp>

namespace plugnode::runtime {

// Asked of an entity whose type hands off: it answers with its state (std::string) and is stopped after.
using entity_handoff_atom = caf::atom_constant<caf::atom("ent_hoff")>;
constexpr entity_handoff_atom entity_handoff_atom_v{};

struct entity_type {
  std::string name;
  // The behaviour of one entity, from its key and the state its previous instance handed off ("" when it
  // starts fresh: first use, after passivation, or after its node died).
  std::function<caf::behavior(caf::event_based_actor* self, const std::string& key, const std::string& state)>
      start;
  std::chrono::milliseconds idle{0}; // unused this long: passivated (stopped); 0: never
  // true: the behaviour answers (entity_handoff_atom) with its state when it must move; false: a moved
  // entity starts fresh on its new node.
  bool hands_off = false;
};

} // namespace plugnode::runtime
