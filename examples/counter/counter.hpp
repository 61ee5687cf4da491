// counter: cluster-wide counters, each owned by one node. The owner of a key is chosen by hashing the key
// over the sorted list of the cluster's nodes, so every node sends a key's requests to the same owner, whose
// `counter` actor holds the value.
#pragma once

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace counter {

// The name the counter actor is registered under on every node.
inline constexpr const char* actor_name = "counter";

// The counter actor's messages (atoms, strings and integers: they cross the network as they are).
//   (add_atom, std::string key, std::int64_t delta)  -> std::int64_t  the new value
//   (read_atom, std::string key)                     -> std::int64_t  0 for a key never added to
//   (list_atom)                                      -> std::vector<std::string>  "key value", sorted
using add_atom = caf::atom_constant<caf::atom("cnt_add")>;
using read_atom = caf::atom_constant<caf::atom("cnt_read")>;
using list_atom = caf::atom_constant<caf::atom("cnt_list")>;
constexpr add_atom add_atom_v{};
constexpr read_atom read_atom_v{};
constexpr list_atom list_atom_v{};

caf::actor spawn_counter(caf::actor_system& system);

// The node of `members` (sorted, non-empty) that owns `key`: FNV-1a, the same on every build and machine.
const std::string& owner_of(const std::string& key, const std::vector<std::string>& members);

} // namespace counter
