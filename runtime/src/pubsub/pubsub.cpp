// The pub/sub calls that need the node's table; see plugnode/runtime/pubsub.hpp.
#include "plugnode/runtime/pubsub.hpp"

#include <caf/scoped_actor.hpp>

#include "plugnode/runtime/ask.hpp"
#include "pubsub/topic_table.hpp"

namespace plugnode::runtime {
namespace detail {

topic_route route(const node& n, const std::string& topic, bool remote) {
  return n.topics()->route(topic, remote);
}

void count_broadcast(const node& n, std::uint64_t local, std::uint64_t forwarded) {
  auto& table = *n.topics();
  table.broadcasts.fetch_add(1, std::memory_order_relaxed);
  table.deliveries.fetch_add(local, std::memory_order_relaxed);
  table.forwarded.fetch_add(forwarded, std::memory_order_relaxed);
}

} // namespace detail

namespace {

template <class Atom> bool change(node& n, Atom what, const std::string& topic, const caf::actor& who) {
  caf::scoped_actor self{n.system()};
  auto done = ask<bool>(*self.ptr(), n.pubsub(), std::chrono::seconds(2), what, topic, who);
  return done && *done;
}

} // namespace

bool subscribe(node& n, const std::string& topic, const caf::actor& who) {
  return change(n, ps_sub_atom_v, topic, who);
}

bool unsubscribe(node& n, const std::string& topic, const caf::actor& who) {
  return change(n, ps_unsub_atom_v, topic, who);
}

pubsub_counts pubsub_figures(const node& n) {
  return n.topics() ? n.topics()->counts() : pubsub_counts{};
}

std::size_t topic_node_count(const node& n, const std::string& topic) {
  return n.topics() ? n.topics()->remote_count(topic) : 0;
}

} // namespace plugnode::runtime
