// The counter entity of counter.hpp.
#include "counter.hpp"

#include <caf/event_based_actor.hpp>

#include <chrono>
#include <cstdint>

#include "plugnode/runtime/groups.hpp"

namespace counter {

plugnode::runtime::entity_type counter_type(std::shared_ptr<const node_info> node) {
  plugnode::runtime::entity_type type;
  type.name = entity_type_name;
  type.hands_off = true; // its value moves with it
  type.start = [node](caf::event_based_actor* self, const std::string& key,
                      const std::string& state) -> caf::behavior {
    auto value = std::make_shared<std::int64_t>(state.empty() ? 0 : std::stoll(state));
    if (node->groups)
      self->request(node->groups, std::chrono::seconds(2), plugnode::runtime::pg_join_atom_v, group,
                    caf::actor_cast<caf::actor>(self))
          .then([](bool) {}, [](caf::error&) {});
    auto answer = [value, node] { return std::to_string(*value) + " " + node->name; };
    return {
        [value, answer](add_atom, std::int64_t delta) {
          *value += delta;
          return answer();
        },
        [answer](read_atom) { return answer(); },
        [value, key](list_atom) { return key + " " + std::to_string(*value); },
        [value](plugnode::runtime::entity_handoff_atom) { return std::to_string(*value); },
    };
  };
  return type;
}

} // namespace counter
