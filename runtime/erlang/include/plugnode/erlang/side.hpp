// side: the Erlang side as a node's second protocol. A node started with
//   options.erlang = plugnode::erlang::side(dist);   // dist.enabled from PLUGNODE_ERLANG_DIST
// listens for BEAM nodes on dist.port, answers EPMD for its name, and its agent connects, pings and lists
// BEAM nodes beside plugnode ones (runtime/protocol_side.hpp is the interface between the two).
#pragma once

#include "plugnode/erlang/protocol.hpp"
#include "plugnode/runtime/protocol_side.hpp"

namespace plugnode::erlang {

// An empty starter (the side off) unless dist.enabled.
runtime::side_starter side(const dist_options& dist);

} // namespace plugnode::erlang
