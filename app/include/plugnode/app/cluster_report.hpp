// cluster_report: the /cluster document (also the shell's `cluster`): this node, every peer the node agent
// knows with its state, round-trip time and last-seen age, and discovery's last answer.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "plugnode/runtime/agent_protocol.hpp"

namespace plugnode::app {

// {"node":..., "incarnation":..., "peers":[{"node","protocol" (plugnode|erlang),"state","hidden","address",
//  "rtt_ms","last_seen_ms_ago","up_ms"}] (BEAM nodes after the plugnode ones), "discovery": <discovery's
//  JSON, or {"error": text} when it did not answer>, "peers_error": text when the agent did not answer}
std::string cluster_report(const std::string& node, std::uint64_t incarnation,
                           const std::vector<runtime::peer_info>& peers, const std::string& discovery_json,
                           const std::string& peers_error = {},
                           const std::vector<runtime::peer_info>& erlang_peers = {});

// Asks `agent` for the peers and, through it, the actor registered as discovery (each within `timeout`) and
// builds the report; a part that does not answer shows as an error in it rather than failing the whole.
std::string fetch_cluster_report(caf::blocking_actor& self, const std::string& node,
                                 std::uint64_t incarnation, const caf::actor& agent,
                                 std::chrono::milliseconds timeout);

} // namespace plugnode::app
