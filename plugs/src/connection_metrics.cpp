#include "connection_metrics.hpp"

#include <prometheus/metric_family.h>

namespace plugnode::plugs {
namespace {

class connection_metrics final : public prometheus::Collectable {
public:
  explicit connection_metrics(std::shared_ptr<const server_stats> stats) : stats_(std::move(stats)) {}

  std::vector<prometheus::MetricFamily> Collect() const override {
    static constexpr const char* names[conn_phase_count] = {
        "",        "idle",    "reading_head", "reading_body", "in_worker",
        "writing", "closing", "waiting_body", "streaming"};
    prometheus::MetricFamily open{"plugnode_http_connections",
                                  "Open HTTP connections by state (closing: answered, draining before the "
                                  "close; waiting_body: not read "
                                  "until the body buffer has room; streaming: a response whose body a plug "
                                  "sends as it goes)",
                                  prometheus::MetricType::Gauge,
                                  {}};
    for (std::size_t i = 1; i < conn_phase_count; ++i) {
      prometheus::ClientMetric m;
      m.label = {{"state", names[i]}};
      m.gauge.value = static_cast<double>(stats_->by_phase[i].load(std::memory_order_relaxed));
      open.metric.push_back(std::move(m));
    }
    return {std::move(open),
            counter("plugnode_http_connections_refused_total",
                    "Connections closed at once because the connection cap was reached",
                    stats_->refused_at_cap),
            counter("plugnode_http_head_timeouts_total",
                    "Request heads not complete within the head timeout (408)", stats_->head_timeouts),
            counter("plugnode_http_body_timeouts_total",
                    "Request bodies that stalled past the read timeout (408)", stats_->body_timeouts),
            counter("plugnode_http_body_buffer_refusals_total",
                    "Requests answered 503 because their body waited too long for room in the body buffer",
                    stats_->body_buffer_refusals),
            gauge("plugnode_http_body_buffer_bytes",
                  "Request body bytes held in memory now (the budget's use)", stats_->body_buffer_bytes),
            gauge("plugnode_http_body_buffer_peak_bytes",
                  "The most request body bytes held at once since start", stats_->body_buffer_peak),
            gauge("plugnode_http_body_spool_bytes",
                  "Disk bytes reserved now by request bodies spooled to temporary files",
                  stats_->body_spool_bytes),
            gauge("plugnode_http_body_spool_peak_bytes", "The most disk bytes spooled bodies held at once",
                  stats_->body_spool_peak),
            counter("plugnode_http_body_spool_full_total",
                    "Large request bodies that found no room on disk and were read into memory instead (or, "
                    "already spooled, were answered 503)",
                    stats_->body_spool_full),
            counter("plugnode_http_bad_requests_total",
                    "Requests refused by the connection layer (malformed or ambiguous framing, limits)",
                    stats_->bad_requests),
            counter("plugnode_http_deadline_replies_total", "Requests answered 503 at their deadline",
                    stats_->deadline_replies)};
  }

private:
  static prometheus::MetricFamily counter(const char* name, const char* help,
                                          const std::atomic<std::uint64_t>& value) {
    prometheus::ClientMetric m;
    m.counter.value = static_cast<double>(value.load(std::memory_order_relaxed));
    return {name, help, prometheus::MetricType::Counter, {std::move(m)}};
  }

  static prometheus::MetricFamily gauge(const char* name, const char* help,
                                        const std::atomic<std::int64_t>& value) {
    prometheus::ClientMetric m;
    m.gauge.value = static_cast<double>(value.load(std::memory_order_relaxed));
    return {name, help, prometheus::MetricType::Gauge, {std::move(m)}};
  }

  std::shared_ptr<const server_stats> stats_;
};

} // namespace

std::shared_ptr<const prometheus::Collectable>
make_connection_metrics(std::shared_ptr<const server_stats> stats) {
  return std::make_shared<connection_metrics>(std::move(stats));
}

} // namespace plugnode::plugs
