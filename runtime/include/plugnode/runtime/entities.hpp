// entities: sharded entities (virtual actors), reached by type and key from any node; the runtime decides
// where each lives. Types are declared by the service (node_options::entity_types, entity_type.hpp), and each
// node's region (node::entities()) hosts the types it declares.
//
// The protocol:
// - Hosts: each region joins the group named after each of its types in the group scope "entities"
//   (groups.hpp), so every region knows, eventually, which regions host which type.
// - Owner: a key's owner is the host with the highest hash of (type, key, host's node id) (rendezvous
//   hashing): a host joining or leaving moves only the keys it wins or held, about 1/N of them.
// - Routing: a call goes to the local region, which hands it to the entity when it is active there, else on
//   to the owner by its view (one hop; a region never forwards a message twice: after two hops the region
//   it reaches serves it, so disagreeing views cannot loop). A hop to another node goes through that node's
//   outbound budget (runtime::send, as pub/sub's remote leg): a region past it is held until there is room.
//   The hand-off's claims and takes are requests of their own, one per moving key, outside the budget.
// - Start and pull: the owner starting a key that is not active asks the key's owner among the other hosts
//   (where it lived before this owner came) to give it up (ent_claim); that region, if the key is active
//   there, asks the entity for its state after the messages it already has (entity_handoff_atom), stops it
//   and answers with the state. Messages for the key that reach either region meanwhile are buffered and
//   delivered after, in order. A hop names the key's owner by the forwarding region's view without the
//   target, and the target claims from that region too: a node that has just joined is told of by the
//   others (who send it its keys) before it has heard of them all, and by its own view alone it would
//   claim from the wrong host, hear "nothing" and start the key fresh beside the live instance. A node that
//   joins thus takes its keys over on their next use, through whichever node: a region holding an active key
//   whose owner is now another region hands it over (ent_take, as below) before the message that found it
//   there.
// - Push on a graceful stop: node::leave hands every active entity to its owner among the other hosts
//   (ent_take, acknowledged), forwards what arrives for them meanwhile, and only then leaves the groups, so
//   peers switch to the new owners after those have the state.
// - A node that dies loses its entities' in-memory state: their keys start fresh on their new owner on next
//   use (durable state is the service's own storage). Calls in flight to it fail (request errors); the caller
//   retries.
// - At most one live instance per key while the regions agree on the hosts. While they disagree (a
//   partition, or the moments after a change), two regions may each start a key: each side serves it and
//   nothing merges them afterwards (as Akka's sharding without a split-brain resolver); the side that
//   later claims from the other gets that side's state.
//
// Requests to a region (node::entities(); finite timeouts):
//   (ent_call_atom, type, key, std::int32_t hops = 0, caf::message msg)   what the entity answers to msg
//   (ent_send_atom, type, key, std::int32_t hops = 0, caf::message msg)   one way
//   (ent_stats_atom)            std::vector<entity_figures>  this node's, per type
// Between regions: a hop, (ent_call_atom or ent_send_atom, type, key, hops, msg, caf::actor before) (the
//   key's owner by the forwarder's view without the target; invalid when none),
//   (ent_claim_atom, type, key) -> std::vector<std::string> (the state, or empty: none),
//   (ent_take_atom, type, key, state) -> bool.
//
//   auto count = runtime::entity_call<std::uint64_t>(self, node, "counter", "user-7", 2s, inc_atom_v);
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/expected.hpp>
#include <caf/make_message.hpp>
#include <caf/meta/type_name.hpp>

#include "plugnode/runtime/ask.hpp"
#include "plugnode/runtime/entity_type.hpp"
#include "plugnode/runtime/node.hpp"

namespace plugnode::runtime {

using ent_call_atom = caf::atom_constant<caf::atom("ent_call")>;
using ent_send_atom = caf::atom_constant<caf::atom("ent_send")>;
using ent_stats_atom = caf::atom_constant<caf::atom("ent_stats")>;
using ent_claim_atom = caf::atom_constant<caf::atom("ent_claim")>;
using ent_take_atom = caf::atom_constant<caf::atom("ent_take")>;
using ent_leave_atom = caf::atom_constant<caf::atom("ent_leave")>;
constexpr ent_call_atom ent_call_atom_v{};
constexpr ent_send_atom ent_send_atom_v{};
constexpr ent_stats_atom ent_stats_atom_v{};
constexpr ent_claim_atom ent_claim_atom_v{};
constexpr ent_take_atom ent_take_atom_v{};
constexpr ent_leave_atom ent_leave_atom_v{};

// The scope the regions meet in.
inline const std::string entities_scope = "entities";

// One type's figures on one node (metrics, the shell's `entities`).
struct entity_figures {
  std::string type;
  std::uint64_t active = 0;
  std::uint64_t hosts = 0; // nodes hosting the type, as this node sees it
  std::uint64_t activations = 0;
  std::uint64_t passivations = 0;
  std::uint64_t handoffs = 0; // entities this node gave up (claims and graceful stop)
  std::uint64_t buffered = 0; // messages held while a key moved
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, entity_figures& x) {
  return f(caf::meta::type_name("entity_figures"), x.type, x.active, x.hosts, x.activations, x.passivations,
           x.handoffs, x.buffered);
}

// What the entity `key` of `type` answers to `xs...`, wherever it lives; started on first use.
template <class Reply, class... Ts>
caf::expected<Reply> entity_call(caf::blocking_actor& self, const node& n, const std::string& type,
                                 const std::string& key, std::chrono::milliseconds timeout, Ts&&... xs) {
  return ask<Reply>(self, n.entities(), timeout, ent_call_atom_v, type, key, std::int32_t{0},
                    caf::make_message(std::forward<Ts>(xs)...));
}

// The same, one way (from any actor). It goes through this node's region, which forwards it within the
// owner node's outbound budget (dist_send.hpp): past the budget the region is held, and what this sender
// sends meanwhile waits in the region's mailbox; a sender that must itself be held sends calls instead
// and waits for their answers.
template <class Self, class... Ts>
void entity_send(Self* self, const node& n, const std::string& type, const std::string& key, Ts&&... xs) {
  self->send(n.entities(), ent_send_atom_v, type, key, std::int32_t{0},
             caf::make_message(std::forward<Ts>(xs)...));
}

std::vector<entity_figures> entities_figures(node& n);

} // namespace plugnode::runtime
