// The pub/sub and entity metrics of cluster_state_metrics.hpp.
#include "plugnode/app/cluster_state_metrics.hpp"

#include "metric_families.hpp"
#include "plugnode/runtime/entities.hpp"
#include "plugnode/runtime/pubsub.hpp"

namespace plugnode::app {
namespace {

// The runtime's figures only grow while the node runs: the counter follows them.
void follow(prometheus::Counter& counter, std::uint64_t value) {
  if (static_cast<double>(value) > counter.Value())
    counter.Increment(static_cast<double>(value) - counter.Value());
}

} // namespace

cluster_state_metrics::cluster_state_metrics(prometheus::Registry& registry, runtime::node& node)
    : node_(node),
      topics_(gauges(registry, "plugnode_pubsub_topics", "Topics with a subscriber on this node.").Add({})),
      subscribers_(gauges(registry, "plugnode_pubsub_subscribers", "Subscriptions on this node.").Add({})),
      broadcasts_(counters(registry, "plugnode_pubsub_broadcasts_total", "Broadcasts published on this node.")
                      .Add({})),
      deliveries_(counters(registry, "plugnode_pubsub_deliveries_total",
                           "Messages handed to this node's subscribers.")
                      .Add({})),
      node_messages_(
          counters(registry, "plugnode_pubsub_node_messages_total",
                   "Broadcasts forwarded to (sent) or from (received) other nodes, one per node.")),
      active_(gauges(registry, "plugnode_entities_active", "Active entities of the type on this node.")),
      activations_(counters(registry, "plugnode_entity_activations_total", "Entities started on this node.")),
      passivations_(counters(registry, "plugnode_entity_passivations_total",
                             "Entities stopped on this node after their idle time.")),
      handoffs_(counters(registry, "plugnode_entity_handoffs_total",
                         "Entities this node gave up to another node (a claim or a graceful stop).")),
      buffered_(counters(registry, "plugnode_entity_buffered_messages_total",
                         "Messages held on this node while their key moved.")) {}

void cluster_state_metrics::update() {
  auto topics = runtime::pubsub_figures(node_);
  auto entities = runtime::entities_figures(node_);
  std::lock_guard<std::mutex> guard(mutex_);
  topics_.Set(static_cast<double>(topics.topics));
  subscribers_.Set(static_cast<double>(topics.subscribers));
  follow(broadcasts_, topics.broadcasts);
  follow(deliveries_, topics.deliveries);
  follow(node_messages_.Add({{"direction", "sent"}}), topics.forwarded);
  follow(node_messages_.Add({{"direction", "received"}}), topics.received);
  for (auto& f : entities) {
    active_.Add({{"type", f.type}}).Set(static_cast<double>(f.active));
    follow(activations_.Add({{"type", f.type}}), f.activations);
    follow(passivations_.Add({{"type", f.type}}), f.passivations);
    follow(handoffs_.Add({{"type", f.type}}), f.handoffs);
    follow(buffered_.Add({{"type", f.type}}), f.buffered);
  }
}

} // namespace plugnode::app
