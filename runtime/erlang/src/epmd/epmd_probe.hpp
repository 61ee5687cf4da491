// epmd_probe: what a discovered name is, asked of the EPMD on its host before dialling it. BEAM nodes
// register there as normal nodes (type 77); plugnode nodes either do not answer (no Erlang listener) or
// answer as hidden C nodes (type 72 from their own responder, 104 through a real epmd), so the answer tells
// which protocol to speak: Erlang's to a BEAM node, plugnode's own to everything else.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

#include <caf/fwd.hpp>

namespace plugnode::erlang::detail {

struct epmd_answer {
  bool beam = false;           // registered as a normal (BEAM) node
  std::uint16_t dist_port = 0; // where it listens for Erlang's distribution, when registered
};

// PORT_PLEASE2 for `alive` at `address`:`epmd_port` (numeric IPv4 or IPv6), within `timeout`. No answer,
// a refused connection or "not registered" all come back as {false, 0}.
epmd_answer probe_epmd(const std::string& address, std::uint16_t epmd_port, const std::string& alive,
                       std::chrono::milliseconds timeout);

// The side's prober (protocol_side.hpp): answers the agent's (probe_atom, address, node, bound) with
// (is a BEAM node, its Erlang port), each probe on a thread of its own (the socket blocks).
caf::actor spawn_epmd_prober(caf::actor_system& system, std::uint16_t epmd_port);

} // namespace plugnode::erlang::detail
