// discovery_protocol: the messages the discovery actor answers, for the app's HTTP routes (/cluster,
// /readyz) and the remote shell (`discover`, `nslookup`). Replies are plain strings and booleans.
//
//   (discover_atom) -> std::string
//       polls now; the description after it
//   (runtime::cluster_atom) -> std::string
//       the last answer as JSON (cluster_view.hpp); the atom is the agent's, one name for one question
//   (ready_atom) -> bool
//       has had its first good answer
//   (nslookup_atom, std::string name, std::string type) -> std::string
//       dig-style answer; type "srv", "a" or "aaaa"
//
// Every request carries a finite timeout on the caller's side; `discover` and `nslookup` wait for DNS.
#pragma once

#include <caf/atom.hpp>

#include "plugnode/runtime/agent_protocol.hpp"

namespace plugnode::discovery {

using discover_atom = caf::atom_constant<caf::atom("discover")>;
using ready_atom = caf::atom_constant<caf::atom("ready")>;
using nslookup_atom = caf::atom_constant<caf::atom("nslookup")>;
using runtime::cluster_atom;
using runtime::cluster_atom_v;

constexpr discover_atom discover_atom_v{};
constexpr ready_atom ready_atom_v{};
constexpr nslookup_atom nslookup_atom_v{};

} // namespace plugnode::discovery
