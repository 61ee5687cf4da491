// cluster_view: discovery's last answer as JSON text, for the app's /cluster route and the remote shell
// (a string crosses any actor or node boundary without a custom message type).
#pragma once

#include <string>

#include "plugnode/discovery/discovery_state.hpp"
#include "plugnode/discovery/strategy.hpp"

namespace plugnode::discovery {

// {"strategy","self","ready","polls","errors","last_answer_ms_ago"?, "last_error"?,
//  "peers":[{"node","port","addresses","link","missing","last_seen_ms_ago"}]}
std::string describe_cluster(const discovery_state& state, strategy_kind strategy);

} // namespace plugnode::discovery
