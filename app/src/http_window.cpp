// The request figures over a moving window; see http_window.hpp.
#include "plugnode/app/http_window.hpp"

#include <algorithm>
#include <cmath>
#include <string>

namespace plugnode::app {
namespace {

const prometheus::MetricFamily* family(const std::vector<prometheus::MetricFamily>& families,
                                       const std::string& name) {
  auto it = std::find_if(families.begin(), families.end(),
                         [&](const prometheus::MetricFamily& f) { return f.name == name; });
  return it == families.end() ? nullptr : &*it;
}

std::string label(const prometheus::ClientMetric& m, const std::string& name) {
  for (const auto& l : m.label)
    if (l.name == name)
      return l.value;
  return {};
}

} // namespace

http_sample http_sample_of(const std::vector<prometheus::MetricFamily>& families, double at_seconds) {
  http_sample s;
  s.at_seconds = at_seconds;
  if (const auto* total = family(families, "plugnode_http_requests_total"))
    for (const auto& m : total->metric) {
      s.requests += m.counter.value;
      auto status = label(m, "status");
      if (status.size() == 3 && status[0] >= '1' && status[0] <= '5')
        s.classes[static_cast<std::size_t>(status[0] - '1')] += m.counter.value;
    }
  if (const auto* duration = family(families, "plugnode_http_request_duration_seconds"))
    for (const auto& m : duration->metric) {
      if (s.buckets.empty())
        for (const auto& b : m.histogram.bucket)
          s.buckets.emplace_back(b.upper_bound, 0.0);
      for (std::size_t i = 0; i < s.buckets.size() && i < m.histogram.bucket.size(); ++i)
        s.buckets[i].second += static_cast<double>(m.histogram.bucket[i].cumulative_count);
    }
  return s;
}

double bucket_quantile(double q, const std::vector<std::pair<double, double>>& buckets) {
  if (buckets.empty() || buckets.back().second <= 0)
    return -1;
  double rank = q * buckets.back().second;
  double lower_bound = 0;
  double lower_count = 0;
  for (const auto& [bound, count] : buckets) {
    if (count >= rank) {
      if (std::isinf(bound))
        return lower_bound;
      if (count == lower_count)
        return bound;
      return lower_bound + (bound - lower_bound) * (rank - lower_count) / (count - lower_count);
    }
    lower_bound = bound;
    lower_count = count;
  }
  return lower_bound;
}

void http_window::add(http_sample sample) {
  samples_.push_back(std::move(sample));
  while (samples_.size() > keep_)
    samples_.pop_front();
}

http_figures http_window::figures() const {
  http_figures f;
  if (samples_.size() < 2)
    return f;
  const auto& last = samples_.back();
  const auto& before = samples_[samples_.size() - 2];
  if (last.at_seconds > before.at_seconds)
    f.requests_per_second = (last.requests - before.requests) / (last.at_seconds - before.at_seconds);
  const auto& first = samples_[samples_.size() - std::min(samples_.size(), window_ + 1)];
  f.window_seconds = last.at_seconds - first.at_seconds;
  for (std::size_t i = 0; i < f.classes.size(); ++i)
    f.classes[i] = last.classes[i] - first.classes[i];
  auto delta = last.buckets;
  for (std::size_t i = 0; i < delta.size() && i < first.buckets.size(); ++i)
    delta[i].second -= first.buckets[i].second;
  auto ms = [](double seconds) { return seconds < 0 ? -1 : seconds * 1000; };
  f.p50_ms = ms(bucket_quantile(0.5, delta));
  f.p99_ms = ms(bucket_quantile(0.99, delta));
  for (std::size_t i = 1; i < samples_.size(); ++i) {
    double dt = samples_[i].at_seconds - samples_[i - 1].at_seconds;
    f.rate_history.push_back(dt > 0 ? (samples_[i].requests - samples_[i - 1].requests) / dt : 0);
  }
  return f;
}

} // namespace plugnode::app
