// runtime_names: the runtime's names the Erlang side uses without qualification, in one place: the node
// agent's protocol (its atoms and peer_info) and node names. This list is the Erlang side's interface to
// the runtime below it, besides protocol_side.hpp; everything else it names as runtime::.
#pragma once

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::erlang {

using runtime::cluster_atom;
using runtime::disconnect_atom;
using runtime::monitor_nodes_atom;
using runtime::node_name;
using runtime::nodedown_atom;
using runtime::nodedown_atom_v;
using runtime::nodes_atom;
using runtime::nodes_atom_v;
using runtime::nodeup_atom;
using runtime::nodeup_atom_v;
using runtime::peer_info;
using runtime::register_atom;
using runtime::whereis_atom;
using runtime::whereis_atom_v;

} // namespace plugnode::erlang
