// counter: cluster-wide counters as sharded entities (plugnode/runtime/entities.hpp): one entity per key,
// living on the node that rendezvous hashing picks among the nodes running the service, started on first
// use, handing its value to its next owner when its node stops gracefully or a new node takes the key.
// Each counter is also a member of the process group "counters" on its node, which is how the `counters`
// shell command finds the ones a node holds.
#pragma once

#include <caf/actor.hpp>
#include <caf/atom.hpp>

#include <memory>
#include <string>

#include "plugnode/runtime/entity_type.hpp"

namespace counter {

// The entity type, and the group every live counter is in on its node.
inline constexpr const char* entity_type_name = "counter";
inline const std::string group = "counters";

// A counter entity's messages (atoms and integers: they cross the network as they are).
//   (add_atom, std::int64_t delta)  -> std::string  "VALUE NODE": the new value and where the counter lives
//   (read_atom)                     -> std::string  the same, unchanged
//   (list_atom)                     -> std::string  "KEY VALUE"
using add_atom = caf::atom_constant<caf::atom("cnt_add")>;
using read_atom = caf::atom_constant<caf::atom("cnt_read")>;
using list_atom = caf::atom_constant<caf::atom("cnt_list")>;
constexpr add_atom add_atom_v{};
constexpr read_atom read_atom_v{};
constexpr list_atom list_atom_v{};

// What a counter needs of its node: its name and its group scope. Filled in when the service adds its routes,
// which is before any request can start a counter.
struct node_info {
  std::string name;
  caf::actor groups;
};

plugnode::runtime::entity_type counter_type(std::shared_ptr<const node_info> node);

} // namespace counter
