// process_metrics: the standard process metrics of Prometheus client libraries (RSS, CPU seconds, open fds,
// threads, start time), read from /proc at each scrape, so a /metrics of a plugnode node reads like any
// other exporter's and `promtool check metrics` accepts it.
#pragma once

#include <memory>
#include <mutex>

namespace prometheus {
class Registry;
class Gauge;
class Counter;
} // namespace prometheus

namespace plugnode::app {

// A snapshot of /proc/self.
struct process_sample {
  double resident_bytes = 0;
  double virtual_bytes = 0;
  double cpu_seconds = 0;
  double open_fds = 0;
  double max_fds = 0;
  double threads = 0;
  double start_time_seconds = 0; // since the Unix epoch
};

// Reads /proc/self (and /proc/stat for the boot time).
process_sample sample_process();

class process_metrics {
public:
  // Adds the process_* families to `registry`.
  explicit process_metrics(prometheus::Registry& registry);

  // Refreshes every value; call before rendering the registry.
  void update();

private:
  std::mutex mutex_; // scrapes may run at once on several workers
  prometheus::Gauge& resident_;
  prometheus::Gauge& virtual_;
  prometheus::Counter& cpu_;
  prometheus::Gauge& open_fds_;
  prometheus::Gauge& max_fds_;
  prometheus::Gauge& threads_;
  prometheus::Gauge& start_time_;
};

} // namespace plugnode::app
