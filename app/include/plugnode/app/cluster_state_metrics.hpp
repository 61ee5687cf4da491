// cluster_state_metrics: the metrics of pub/sub and sharded entities, refreshed at each scrape from the
// runtime's figures (runtime::pubsub_figures, runtime::entities_figures): topics and subscribers now,
// broadcasts, deliveries and node messages (rate() gives them per second); per entity type the active
// entities, activations, passivations, hand-offs and messages buffered while a key moved.
#pragma once

#include <mutex>

namespace prometheus {
class Registry;
class Gauge;
class Counter;
template <typename T> class Family;
} // namespace prometheus

namespace plugnode::runtime {
class node;
}

namespace plugnode::app {

class cluster_state_metrics {
public:
  // Adds the plugnode_pubsub_* and plugnode_entity_* families to `registry`; `node` must outlive this.
  cluster_state_metrics(prometheus::Registry& registry, runtime::node& node);

  // Refreshes every series; call before rendering the registry.
  void update();

private:
  runtime::node& node_;
  std::mutex mutex_; // scrapes may run at once on several workers
  prometheus::Gauge& topics_;
  prometheus::Gauge& subscribers_;
  prometheus::Counter& broadcasts_;
  prometheus::Counter& deliveries_;
  prometheus::Family<prometheus::Counter>& node_messages_;
  prometheus::Family<prometheus::Gauge>& active_;
  prometheus::Family<prometheus::Counter>& activations_;
  prometheus::Family<prometheus::Counter>& passivations_;
  prometheus::Family<prometheus::Counter>& handoffs_;
  prometheus::Family<prometheus::Counter>& buffered_;
};

} // namespace plugnode::app
