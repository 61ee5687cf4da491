// dist_dialer: one outgoing distribution connection, authenticated before BASP. A detached actor (a thread
// of its own, so no scheduler thread waits on a slow peer) opens the TCP connection, runs the initiator's
// wire handshake, and only then hands the socket to CAF's BASP broker (basp_handoff.hpp), which answers the
// request as CAF's own connect does.
//
//   request(spawn_dialer(sys, settings, deadline), until(deadline), caf::connect_atom_v, target, address,
//           port) -> (caf::node_id, caf::strong_actor_ptr, std::set<std::string>) or an error
#pragma once

#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace plugnode::runtime::detail {

struct dial_settings {
  std::string self; // this node's name
  std::string cookie;
  caf::actor basp; // basp_broker()
};

// Why a dial to `where` reached a node with this node's own CAF node id although it is another node
// (`peer`; empty when only its id is known), and what to do about it.
std::string same_node_id(const std::string& where, const std::string& peer);

caf::actor spawn_dialer(caf::actor_system& system, const dial_settings& settings,
                        std::chrono::steady_clock::time_point deadline);

} // namespace plugnode::runtime::detail
