// erlang_nodes: the Erlang side's front actor, registered as `erlang` with the node agent (the protocol is in
// erlang_protocol.hpp). It connects to BEAM nodes with Erlang's protocol (EPMD look-up and ei's handshake,
// blocking calls, so it is detached), lists and drops them, pings them as net_adm:ping does, reports their
// nodeup/nodedown to subscribers, and hands this node's calls and sends to the right connection's actor.
#pragma once

#include <functional>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "dist/erlang_node_table.hpp"

namespace plugnode::erlang::detail {

struct erlang_nodes_settings {
  std::string self; // this node's name
  std::shared_ptr<erlang_node_table> table;
  // Connects to a BEAM node and adopts the connection (erlang_dist::dial); "" on success, else why not.
  std::function<std::string(const std::string& node, const std::string& address, std::uint16_t port)> dial;
  std::uint16_t epmd_port = 4369; // where a host's EPMD answers (ERL_EPMD_PORT): a peer's port for /cluster
};

caf::actor spawn_erlang_nodes(caf::actor_system& system, erlang_nodes_settings settings);

} // namespace plugnode::erlang::detail
