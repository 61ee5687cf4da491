// region: a node's host for sharded entities (the protocol is in plugnode/runtime/entities.hpp). It keeps
// the active entities of the types it hosts, the hosts of every type (from the "entities" scope's group
// events), and the messages it holds for keys that are moving.
#pragma once

#include <chrono>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "plugnode/runtime/entity_type.hpp"

namespace plugnode::runtime {
class node;
}

namespace plugnode::runtime::detail {

struct region_settings {
  const runtime::node* home; // its outbound budgets (dist_send.hpp); outlives the region
  std::vector<entity_type> types;
  caf::actor scope;                        // the "entities" group scope
  std::chrono::milliseconds timeout{3000}; // claims, hand-offs, takes
};

caf::actor spawn_region(caf::actor_system& system, region_settings settings);

} // namespace plugnode::runtime::detail
