// dist_metrics: the distribution's per-peer metrics (runtime::peer_load), refreshed at each scrape:
// bytes sent and received on each peer's connection, messages sent through the outbound budget, its depth
// (bytes the peer has not confirmed), the socket's send queue, and how often and how long senders were
// held back. Series of a peer that is gone are removed; a peer that reconnects starts its counters again.
#pragma once

#include <map>
#include <mutex>
#include <string>

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

class dist_metrics {
public:
  // Adds the plugnode_dist_* families to `registry`; `node` must outlive this object.
  dist_metrics(prometheus::Registry& registry, const runtime::node& node);

  // Refreshes every series; call before rendering the registry.
  void update();

private:
  const runtime::node& node_;
  std::mutex mutex_; // scrapes may run at once on several workers
  prometheus::Family<prometheus::Counter>& messages_sent_;
  prometheus::Family<prometheus::Counter>& bytes_sent_;
  prometheus::Family<prometheus::Counter>& bytes_received_;
  prometheus::Family<prometheus::Counter>& holds_;
  prometheus::Family<prometheus::Counter>& held_seconds_;
  prometheus::Family<prometheus::Gauge>& outbound_;
  prometheus::Family<prometheus::Gauge>& socket_queue_;
  prometheus::Family<prometheus::Gauge>& waiting_;
  prometheus::Family<prometheus::Counter>& read_batches_;
  prometheus::Family<prometheus::Counter>& write_batches_;
  std::map<std::string, bool> known_; // peers with series
};

} // namespace plugnode::app
