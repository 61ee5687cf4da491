// http_window: the HTTP figures of the last minutes (requests per second, p50/p99 latency, status classes),
// from successive samples of the request metrics /metrics exports (plugnode_http_requests_total and the
// histogram plugnode_http_request_duration_seconds): the dashboard computes what Prometheus's rate() and
// histogram_quantile() would, without a Prometheus, and counts nothing of its own.
#pragma once

#include <array>
#include <cstddef>
#include <deque>
#include <utility>
#include <vector>

#include <prometheus/metric_family.h>

namespace plugnode::app {

// The request metrics at one moment, summed over methods and routes.
struct http_sample {
  double at_seconds = 0; // on a steady clock
  double requests = 0;
  std::array<double, 5> classes{};                // 1xx .. 5xx, since the start
  std::vector<std::pair<double, double>> buckets; // (upper bound, cumulative count), the last one +Inf
};

http_sample http_sample_of(const std::vector<prometheus::MetricFamily>& families, double at_seconds);

// The q-quantile (0..1) of the observations whose cumulative bucket counts are `buckets`, interpolated
// linearly inside its bucket as histogram_quantile() does; -1 when there is none. Past the last finite
// bound it answers that bound.
double bucket_quantile(double q, const std::vector<std::pair<double, double>>& buckets);

struct http_figures {
  double requests_per_second = 0; // over the last sample interval
  double p50_ms = -1;             // over `window_seconds` (-1: no request in it)
  double p99_ms = -1;
  double window_seconds = 0;
  std::array<double, 5> classes{};  // requests of each class in the window
  std::vector<double> rate_history; // requests per second, oldest first, one per sample
};

class http_window {
public:
  // Keeps `keep` samples (the history), and takes the quantiles over the last `window` of them.
  explicit http_window(std::size_t keep = 300, std::size_t window = 60) : keep_(keep), window_(window) {}

  void add(http_sample sample);
  http_figures figures() const;

private:
  std::size_t keep_;
  std::size_t window_;
  std::deque<http_sample> samples_;
};

} // namespace plugnode::app
