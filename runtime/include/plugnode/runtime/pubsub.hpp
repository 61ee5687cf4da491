// pubsub: topics across the cluster, Phoenix.PubSub's model. Subscriptions are local: an actor subscribes on
// its own node, and that node's pub/sub server keeps the table. A broadcast runs in the publisher itself:
// it sends to this node's subscribers directly and ONE message per other node that has subscribers for
// the topic; that node's server fans it out. So a broadcast crosses each link once, never reaches a node
// without subscribers, and keeps the order of one publisher's messages to one subscriber (each leg is one
// sender to one receiver, which CAF keeps in order).
//
// The protocol: each node's server joins the group `topic` of the group scope "pubsub" (groups.hpp) while
// it has at least one subscriber for it, and leaves when the last one goes (unsubscribes or ends). Every
// server watches that scope, so it knows which servers have subscribers for which topic; that view is
// `:pg`'s: eventually consistent, one link latency behind a subscription on another node. The remote leg
// goes through runtime::send (dist_send.hpp): a publisher faster than a link is held, not buffered.
//
// Requests to a node's server (node::pubsub(); any local actor, finite timeout):
//   (ps_sub_atom, topic, caf::actor who)    bool  false when `who` is not local
//   (ps_unsub_atom, topic, caf::actor who)  bool  true when one subscription was undone
// Between servers: (ps_fwd_atom, topic, caf::actor from, caf::message msg), delivered to every local
// subscriber of `topic` but `from`.
//
//   runtime::subscribe(node, "rooms:lobby", me);
//   runtime::broadcast(self, node, "rooms:lobby", std::string("hello"));  // from an actor
//   subscribers receive the message ("hello") as it was given, from the publisher or a node's server
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/message.hpp>

#include "plugnode/runtime/dist_send.hpp"
#include "plugnode/runtime/node.hpp"

namespace plugnode::runtime {

using ps_sub_atom = caf::atom_constant<caf::atom("ps_sub")>;
using ps_unsub_atom = caf::atom_constant<caf::atom("ps_unsub")>;
using ps_fwd_atom = caf::atom_constant<caf::atom("ps_fwd")>;
constexpr ps_sub_atom ps_sub_atom_v{};
constexpr ps_unsub_atom ps_unsub_atom_v{};
constexpr ps_fwd_atom ps_fwd_atom_v{};

// The scope the servers meet in.
inline const std::string pubsub_scope = "pubsub";

// This node's pub/sub figures since start (metrics, the shell).
struct pubsub_counts {
  std::uint64_t topics = 0;      // topics with a local subscriber now
  std::uint64_t subscribers = 0; // local subscriptions now
  std::uint64_t broadcasts = 0;  // broadcasts published on this node
  std::uint64_t deliveries = 0;  // messages handed to this node's subscribers
  std::uint64_t forwarded = 0;   // node messages sent to other nodes' servers
  std::uint64_t received = 0;    // node messages received from other nodes
};

namespace detail {

// Where one broadcast goes: this node's subscribers and the servers of the other nodes that have some.
struct topic_route {
  std::vector<caf::actor> local;
  std::vector<caf::actor> remote;
};

// The route of `topic` now; `remote` false leaves the servers out.
topic_route route(const node& n, const std::string& topic, bool remote);
// One broadcast published here: `local` deliveries, `forwarded` node messages.
void count_broadcast(const node& n, std::uint64_t local, std::uint64_t forwarded);

} // namespace detail

// Blocking subscribe/unsubscribe, for plugs and tests; actors send the requests above.
bool subscribe(node& n, const std::string& topic, const caf::actor& who);
bool unsubscribe(node& n, const std::string& topic, const caf::actor& who);

// Every subscriber on every node but `from` gets `xs...`. The return is runtime::send's: false when an
// event-based publisher is held (its current handler should return; it goes on when there is room).
template <class Self, class... Ts>
bool broadcast_from(Self* self, const node& n, const caf::actor& from, const std::string& topic, Ts&&... xs) {
  auto msg = caf::make_message(std::forward<Ts>(xs)...);
  auto to = detail::route(n, topic, true);
  std::uint64_t local = 0;
  for (auto& subscriber : to.local)
    if (subscriber != from) {
      self->send(subscriber, msg);
      ++local;
    }
  detail::count_broadcast(n, local, to.remote.size());
  bool go_on = true;
  for (auto& server : to.remote)
    go_on = send(self, n, server, ps_fwd_atom_v, topic, from, msg) && go_on;
  return go_on;
}

template <class Self, class... Ts>
bool broadcast(Self* self, const node& n, const std::string& topic, Ts&&... xs) {
  return broadcast_from(self, n, caf::actor{}, topic, std::forward<Ts>(xs)...);
}

// This node's subscribers only.
template <class Self, class... Ts>
void local_broadcast(Self* self, const node& n, const std::string& topic, Ts&&... xs) {
  auto msg = caf::make_message(std::forward<Ts>(xs)...);
  auto to = detail::route(n, topic, false);
  for (auto& subscriber : to.local)
    self->send(subscriber, msg);
  detail::count_broadcast(n, to.local.size(), 0);
}

pubsub_counts pubsub_figures(const node& n);
// How many other nodes get `topic`'s broadcasts from this node now (those with subscribers, as far as this
// node knows).
std::size_t topic_node_count(const node& n, const std::string& topic);

} // namespace plugnode::runtime
