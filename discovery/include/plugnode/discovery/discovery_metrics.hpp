// discovery_metrics: discovery's Prometheus series, registered on the app's registry (which /metrics
// exposes): polls and errors as counters, discovered and connected peers as gauges.
#pragma once

#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace plugnode::discovery {

struct discovery_metrics {
  // The registry must outlive the metrics (the series live in it).
  explicit discovery_metrics(prometheus::Registry& registry);

  prometheus::Counter& polls;    // plugnode_discovery_polls_total
  prometheus::Counter& errors;   // plugnode_discovery_errors_total
  prometheus::Gauge& discovered; // plugnode_discovery_discovered_nodes
  prometheus::Gauge& connected;  // plugnode_discovery_connected_nodes
};

} // namespace plugnode::discovery
