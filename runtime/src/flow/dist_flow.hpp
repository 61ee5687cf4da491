// dist_flow: the actor behind the outbound budgets (outbound_budget.hpp), one per node, on the middleman's
// I/O thread. It asks a peer's agent to confirm a mark (a heartbeat request whose stamp is the mark's
// position: BASP keeps one connection's messages in order, so its answer means the peer has read
// everything charged before it), credits the answer, and answers held senders once there is room again.
//
//   message                                                  from
//   (flow_mark_atom, budget, caf::actor peer_agent, position)  a sender whose charge made a mark due
//   (flow_probe_atom, budget, position)                      the same for the local BASP broker: its answer
//                                                            means it has processed what came before
//                                                            (position on the node's broker_meter)
//   (flow_wait_atom, budget) -> bool                         a held sender; answered when there is room
//   (flow_close_atom, budget)                                the peer directory, when the peer is gone
//   (flow_locate_atom, traffic, caf::node_id)                the peer directory, for a new peer: asks BASP
//                                                            where its connection goes (peer_traffic.hpp)
#pragma once

#include <chrono>
#include <memory>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "flow/outbound_budget.hpp"
#include "flow/peer_traffic.hpp"

namespace plugnode::runtime::detail {

using flow_mark_atom = caf::atom_constant<caf::atom("f_mark")>;
using flow_wait_atom = caf::atom_constant<caf::atom("f_wait")>;
using flow_probe_atom = caf::atom_constant<caf::atom("f_probe")>;
using flow_close_atom = caf::atom_constant<caf::atom("f_close")>;
using flow_locate_atom = caf::atom_constant<caf::atom("f_locate")>;
constexpr flow_mark_atom flow_mark_atom_v{};
constexpr flow_wait_atom flow_wait_atom_v{};
constexpr flow_probe_atom flow_probe_atom_v{};
constexpr flow_close_atom flow_close_atom_v{};
constexpr flow_locate_atom flow_locate_atom_v{};

using budget_ptr = std::shared_ptr<outbound_budget>;
using traffic_ptr = std::shared_ptr<peer_traffic>;

// `patience`: how long a mark may go unanswered before it is asked again (a slow peer, not a dead one:
// a dead peer is the agent's nodedown, which closes the budget).
// `basp`: CAF's BASP broker, which knows each peer's address.
caf::actor spawn_dist_flow(caf::actor_system& system, std::chrono::milliseconds patience, caf::actor basp);

// After a sender charged `budget` (of the node whose agent is `agent`): tells `flow` about the marks and
// probes the charge made due. Any thread.
void request_confirmations(const caf::actor& flow, const budget_ptr& budget, const caf::actor& agent,
                           const outbound_budget::charge_result& charged);

} // namespace plugnode::runtime::detail

// Local messages only (between a node's senders and its flow actor); never serialised.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plugnode::runtime::detail::budget_ptr)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plugnode::runtime::detail::traffic_ptr)
