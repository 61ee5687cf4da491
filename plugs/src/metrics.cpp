// Request counters and duration histograms by method, route and status, and their Prometheus text; see
// metrics.hpp.
#include "plugnode/plugs/metrics.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <limits>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <sstream>
#include <string_view>
#include <tuple>

#include <prometheus/collectable.h>
#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include "plugnode/plugs/router.hpp"

namespace plugnode::plugs {
namespace {

// Upper bounds in seconds: from a fast in-memory answer (0.1 ms) to a pipeline near its deadline.
constexpr std::array<double, 14> bounds = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
                                           0.025,  0.05,    0.1,    0.25,  0.5,    1,     5};

struct series {
  std::atomic<std::uint64_t> count{0};
  std::atomic<std::uint64_t> sum_ns{0};
  std::array<std::atomic<std::uint64_t>, bounds.size()> buckets{}; // not cumulative; summed on collect
};

using series_key = std::tuple<std::string, std::string, int>; // method, route, status
// The same key as a lookup sees it: a known series is found without copying the strings.
using series_view = std::tuple<std::string_view, std::string_view, int>;

} // namespace

struct metrics::state final : prometheus::Collectable {
  std::shared_ptr<prometheus::Registry> registry;
  mutable std::shared_mutex mutex;
  mutable std::vector<std::weak_ptr<const prometheus::Collectable>> others; // under mutex
  std::map<series_key, std::unique_ptr<series>, std::less<>> table;

  series& find(const series_view& key) {
    {
      std::shared_lock lock(mutex);
      auto it = table.find(key);
      if (it != table.end())
        return *it->second;
    }
    std::unique_lock lock(mutex);
    auto it = table.find(key);
    if (it == table.end()) {
      auto [method, route, status] = key;
      it = table.emplace(series_key{method, route, status}, std::make_unique<series>()).first;
    }
    return *it->second;
  }

  void record(const series_view& key, std::chrono::nanoseconds took) {
    auto& s = find(key);
    s.count.fetch_add(1, std::memory_order_relaxed);
    s.sum_ns.fetch_add(static_cast<std::uint64_t>(took.count()), std::memory_order_relaxed);
    double seconds = std::chrono::duration<double>(took).count();
    for (std::size_t i = 0; i < bounds.size(); ++i)
      if (seconds <= bounds[i]) {
        s.buckets[i].fetch_add(1, std::memory_order_relaxed);
        break;
      }
  }

  std::vector<prometheus::MetricFamily> Collect() const override {
    prometheus::MetricFamily total{
        "plugnode_http_requests_total", "HTTP requests answered", prometheus::MetricType::Counter, {}};
    prometheus::MetricFamily duration{
        "plugnode_http_request_duration_seconds",
        "Time from the request entering the pipeline to its response being sent",
        prometheus::MetricType::Histogram,
        {}};
    std::shared_lock lock(mutex);
    for (const auto& [key, s] : table) {
      prometheus::ClientMetric m;
      m.label = {{"method", std::get<0>(key)},
                 {"route", std::get<1>(key)},
                 {"status", std::to_string(std::get<2>(key))}};
      auto count = s->count.load(std::memory_order_relaxed);
      m.counter.value = static_cast<double>(count);
      total.metric.push_back(m);
      m.histogram.sample_count = count;
      m.histogram.sample_sum = static_cast<double>(s->sum_ns.load(std::memory_order_relaxed)) / 1e9;
      std::uint64_t cumulative = 0;
      for (std::size_t i = 0; i < bounds.size(); ++i) {
        cumulative += s->buckets[i].load(std::memory_order_relaxed);
        m.histogram.bucket.push_back({cumulative, bounds[i]});
      }
      m.histogram.bucket.push_back({std::max(count, cumulative), std::numeric_limits<double>::infinity()});
      duration.metric.push_back(std::move(m));
    }
    return {std::move(total), std::move(duration)};
  }
};

metrics::metrics() : metrics(std::make_shared<prometheus::Registry>()) {}

metrics::metrics(std::shared_ptr<prometheus::Registry> registry) : state_(std::make_shared<state>()) {
  state_->registry = std::move(registry);
}

void metrics::call(conn& c) const {
  auto start = std::chrono::steady_clock::now();
  c.register_before_send([s = state_, start](conn& sent) {
    s->record({sent.method, route_of(sent), sent.status}, std::chrono::steady_clock::now() - start);
  });
}

prometheus::Registry& metrics::registry() const {
  return *state_->registry;
}

void metrics::collect_also(std::weak_ptr<const prometheus::Collectable> source) const {
  std::unique_lock lock(state_->mutex);
  state_->others.push_back(std::move(source));
}

std::vector<prometheus::MetricFamily> metrics::collect() const {
  auto families = state_->registry->Collect();
  auto own = state_->Collect();
  families.insert(families.end(), own.begin(), own.end());
  std::vector<std::shared_ptr<const prometheus::Collectable>> others;
  {
    std::shared_lock lock(state_->mutex);
    for (const auto& weak : state_->others)
      if (auto source = weak.lock())
        others.push_back(std::move(source));
  }
  for (const auto& source : others) {
    auto more = source->Collect();
    families.insert(families.end(), more.begin(), more.end());
  }
  return families;
}

std::string metrics::render() const {
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, collect());
  return out.str();
}

} // namespace plugnode::plugs
