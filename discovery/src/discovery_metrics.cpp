// Discovery's Prometheus series; see discovery_metrics.hpp.
#include "plugnode/discovery/discovery_metrics.hpp"

namespace plugnode::discovery {
namespace {

prometheus::Counter& counter(prometheus::Registry& registry, const std::string& name,
                             const std::string& help) {
  return prometheus::BuildCounter().Name(name).Help(help).Register(registry).Add({});
}

prometheus::Gauge& gauge(prometheus::Registry& registry, const std::string& name, const std::string& help) {
  return prometheus::BuildGauge().Name(name).Help(help).Register(registry).Add({});
}

} // namespace

discovery_metrics::discovery_metrics(prometheus::Registry& registry)
    : polls(counter(registry, "plugnode_discovery_polls_total", "Discovery lookups run, good or failed")),
      errors(counter(registry, "plugnode_discovery_errors_total",
                     "Discovery lookups that failed (the cluster is kept)")),
      discovered(gauge(registry, "plugnode_discovery_discovered_nodes",
                       "Peers discovery currently knows, this node excluded")),
      connected(gauge(registry, "plugnode_discovery_connected_nodes",
                      "Known peers the node agent reports connected")) {}

} // namespace plugnode::discovery
