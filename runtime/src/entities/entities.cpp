// The entity figures of a node; see plugnode/runtime/entities.hpp.
#include "plugnode/runtime/entities.hpp"

#include <caf/scoped_actor.hpp>

namespace plugnode::runtime {

std::vector<entity_figures> entities_figures(node& n) {
  caf::scoped_actor self{n.system()};
  auto figures =
      ask<std::vector<entity_figures>>(*self.ptr(), n.entities(), std::chrono::seconds(2), ent_stats_atom_v);
  return figures ? *figures : std::vector<entity_figures>{};
}

} // namespace plugnode::runtime
