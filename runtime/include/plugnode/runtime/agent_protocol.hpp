// agent_protocol: the messages the node agent (this node's `net_kernel`) answers, for every layer that talks
// to it (discovery, the HTTP routes, the remote shell). Node names travel as `app@host` strings, so callers
// need no custom message types; the agent validates them with node_name::parse.
//
//   request                                   reply
//   (caf::connect_atom, std::string node)     bool      true when connected (also: already, or self)
//   (disconnect_atom, std::string node)       bool      true when a connection was dropped
//   (caf::ping_atom, std::string node)        bool      true = pong, false = pang (connects first)
//   (nodes_atom)                              std::vector<std::string>   visible peers, sorted, never self
//   (nodes_atom, hidden_atom)                 std::vector<std::string>   hidden peers (remote shells)
//   (monitor_nodes_atom, caf::actor who)      void      `who` then receives
//        (nodeup_atom, std::string node) and (nodedown_atom, std::string node, std::string reason)
//
// Every request to the agent carries a finite timeout on the caller's side.
#pragma once

#include <caf/atom.hpp>

namespace plugnode::runtime {

using nodes_atom = caf::atom_constant<caf::atom("nodes")>;
using hidden_atom = caf::atom_constant<caf::atom("hidden")>;
using disconnect_atom = caf::atom_constant<caf::atom("disconnect")>;
using monitor_nodes_atom = caf::atom_constant<caf::atom("mon_nodes")>;
using nodeup_atom = caf::atom_constant<caf::atom("nodeup")>;
using nodedown_atom = caf::atom_constant<caf::atom("nodedown")>;

} // namespace plugnode::runtime
