// node_agent: the actor that is this node's `net_kernel` (see agent_protocol.hpp for what it answers). It
// owns the node table: who is connected, who authenticated, who is hidden, when each peer was last heard
// from.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>
#include <caf/io/middleman_actor.hpp>

#include "flow/peer_directory.hpp"
#include "plugnode/runtime/host_resolver.hpp"

namespace plugnode::runtime::detail {

struct agent_settings {
  std::string self; // this node's name, canonical (node_name::to_string)
  std::uint64_t incarnation = 0;
  std::string cookie;
  bool hidden = false;
  std::uint16_t port = 0; // the distribution port peers listen on
  std::chrono::milliseconds heartbeat_interval{500};
  std::chrono::milliseconds failure_bound{3000};
  std::chrono::milliseconds connect_timeout{5000};
  host_resolver resolver;
  caf::io::middleman_actor middleman;        // plain or TLS: reports peer addresses, dials with TLS
  caf::actor basp;                           // CAF's BASP broker, which authenticated dials are handed to
  bool tls = false;                          // dial through CAF's TLS connect (the certificate first)
  std::shared_ptr<peer_directory> directory; // kept equal to the agent's peer table
};

// Sent to the agent by its own node once the second protocol's side runs (protocol_side.hpp):
// (side_atom, front, prober). From then on the agent speaks for BEAM nodes as well (agent_erlang.cpp).
using side_atom = caf::atom_constant<caf::atom("side")>;
constexpr side_atom side_atom_v{};

caf::actor spawn_node_agent(caf::actor_system& system, agent_settings settings);

} // namespace plugnode::runtime::detail
