// metrics: counts requests and times them, by method, route pattern and status, for Prometheus:
// `plugnode_http_requests_total` and the histogram `plugnode_http_request_duration_seconds`. Recording is
// lock-free on a known series (atomic counters behind a shared lock), so workers do not queue on one mutex
// as they would on prometheus-cpp's per-histogram lock. The registry is shared with the application, which
// adds its own metrics to it; render() is what a /metrics route returns.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <prometheus/metric_family.h>

#include "plugnode/plugs/conn.hpp"
#include "plugnode/plugs/plug.hpp"

namespace prometheus {
class Registry;
class Collectable;
} // namespace prometheus

namespace plugnode::plugs {

class metrics {
public:
  metrics();
  explicit metrics(std::shared_ptr<prometheus::Registry> registry);

  // Times the request and records it when its response is sent. Put the router after it (the route label
  // comes from the router) and it anywhere before the plugs whose responses it should count.
  void call(conn& c) const;
  bool blocks(const request_path&) const { return false; } // never waits: runs on the event loop too

  prometheus::Registry& registry() const;
  // Renders `source` too while it lives (the endpoint's connection counters, which it owns).
  void collect_also(std::weak_ptr<const prometheus::Collectable> source) const;
  // Everything in the registry plus the request metrics and the collect_also sources, as families: what
  // render() writes out, for a reader of the figures themselves (the dashboard).
  std::vector<prometheus::MetricFamily> collect() const;
  // collect()'s families in Prometheus text format 0.0.4.
  std::string render() const;

  static constexpr const char* content_type = "text/plain; version=0.0.4; charset=utf-8";

  struct state;

private:
  std::shared_ptr<state> state_;
};

} // namespace plugnode::plugs
