// The rate limit of log_limiter.hpp: per kind, one window of counts at a time, ended by the next event after
// it or by a sweeper thread, so a flood's last summary is written even when the flood stops.
#include "plugnode/runtime/log_limiter.hpp"

#include <prometheus/counter.h>
#include <prometheus/registry.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

namespace plugnode::runtime {
namespace {

using clock = std::chrono::steady_clock;

constexpr std::string_view other_sources = "other sources";

struct source_count {
  std::size_t written = 0;
  std::uint64_t suppressed = 0;
};

struct kind_state {
  spdlog::level::level_enum level = spdlog::level::warn; // of the latest event, for the summary
  clock::time_point window_start = clock::now();
  std::size_t written = 0; // lines in full in this window
  std::map<std::string, source_count, std::less<>> sources;
  log_limit_count total;
  prometheus::Counter* events = nullptr; // set while a registry is attached
  prometheus::Counter* suppressed = nullptr;
};

class limiter {
public:
  static limiter& instance() {
    static limiter one;
    return one;
  }

  void log(spdlog::level::level_enum level, std::string_view kind, std::string_view source,
           std::string_view message, std::initializer_list<log_field> fields) {
    std::lock_guard lock(mutex_);
    auto now = clock::now();
    auto& k = state_of(kind);
    if (now - k.window_start >= settings_.window)
      end_window(kind, k, now);
    k.level = level;
    ++k.total.events;
    if (k.events)
      k.events->Increment();
    auto entry = k.sources.find(source);
    if (entry == k.sources.end())
      entry = k.sources.emplace(k.sources.size() < settings_.sources ? source : other_sources, source_count{})
                  .first;
    if (entry->second.written < settings_.per_source && k.written < settings_.per_kind) {
      ++entry->second.written;
      ++k.written;
      std::vector<log_field> all(fields);
      all.push_back({"kind", kind});
      all.push_back({"source", source});
      log_fields(level, all.data(), all.size(), message);
      return;
    }
    ++entry->second.suppressed;
    ++k.total.suppressed;
    if (k.suppressed)
      k.suppressed->Increment();
  }

  void configure(const log_limit_settings& settings) {
    std::lock_guard lock(mutex_);
    settings_ = settings;
    wake_.notify_all();
  }

  void attach(std::shared_ptr<prometheus::Registry> registry) {
    std::lock_guard lock(mutex_);
    registry_ = std::move(registry);
    events_ = &prometheus::BuildCounter()
                   .Name("plugnode_log_limited_events_total")
                   .Help("Events of a rate-limited log kind (refused handshakes, failed connects ...)")
                   .Register(*registry_);
    suppressed_ = &prometheus::BuildCounter()
                       .Name("plugnode_log_suppressed_lines_total")
                       .Help("Lines of a rate-limited kind counted in a summary instead of written in full")
                       .Register(*registry_);
    for (auto& [kind, k] : kinds_)
      attach(kind, k);
  }

  log_limit_count counts(std::string_view kind) {
    std::lock_guard lock(mutex_);
    auto found = kinds_.find(kind);
    return found == kinds_.end() ? log_limit_count{} : found->second.total;
  }

private:
  // spdlog's registry (which owns the default logger the sweeper writes to) is made first, so that it is
  // destroyed after this: made on the first log line, after the limiter, it went first at exit, while the
  // sweeper could still be writing a summary through it (found by ThreadSanitizer).
  limiter() {
    spdlog::details::registry::instance();
    sweeper_ = std::thread([this] { sweep(); });
  }
  ~limiter() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    sweeper_.join();
  }

  kind_state& state_of(std::string_view kind) {
    auto found = kinds_.find(kind);
    if (found != kinds_.end())
      return found->second;
    auto& k = kinds_.emplace(std::string(kind), kind_state{}).first->second;
    if (registry_)
      attach(kind, k);
    return k;
  }

  void attach(std::string_view kind, kind_state& k) {
    k.events = &events_->Add({{"kind", std::string(kind)}});
    k.suppressed = &suppressed_->Add({{"kind", std::string(kind)}});
    k.events->Increment(static_cast<double>(k.total.events) - k.events->Value());
    k.suppressed->Increment(static_cast<double>(k.total.suppressed) - k.suppressed->Value());
  }

  // Writes the window's summaries, the largest counts first, and starts the next window.
  void end_window(std::string_view kind, kind_state& k, clock::time_point now) {
    std::vector<std::pair<std::uint64_t, std::string_view>> left_out;
    for (const auto& [source, count] : k.sources)
      if (count.suppressed > 0)
        left_out.emplace_back(count.suppressed, source);
    std::sort(left_out.begin(), left_out.end(), std::greater<>());
    auto seconds = std::max<long long>(1, std::chrono::duration_cast<std::chrono::seconds>(
                                              now - k.window_start + std::chrono::milliseconds(500))
                                              .count());
    std::uint64_t rest = 0;
    for (std::size_t i = 0; i < left_out.size(); ++i) {
      auto [n, source] = left_out[i];
      if (i >= settings_.summaries) {
        rest += n;
        continue;
      }
      auto count = std::to_string(n);
      log_fields(k.level, {{"kind", kind}, {"source", source}, {"suppressed", count, true}},
                 fmt::format("{}: {} more from {} in the last {} s", kind, n, source, seconds));
    }
    if (rest > 0) {
      auto count = std::to_string(rest);
      log_fields(k.level, {{"kind", kind}, {"source", other_sources}, {"suppressed", count, true}},
                 fmt::format("{}: {} more from {} other sources in the last {} s", kind, rest,
                             left_out.size() - settings_.summaries, seconds));
    }
    k.sources.clear();
    k.written = 0;
    k.window_start = now;
  }

  // Ends windows no event ends: a flood that stopped still gets its last count written.
  void sweep() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      wake_.wait_for(lock, std::min<clock::duration>(settings_.window, std::chrono::seconds(1)));
      auto now = clock::now();
      for (auto& [kind, k] : kinds_)
        if (!k.sources.empty() && now - k.window_start >= settings_.window)
          end_window(kind, k, now);
    }
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  log_limit_settings settings_;
  std::map<std::string, kind_state, std::less<>> kinds_;
  std::shared_ptr<prometheus::Registry> registry_;
  prometheus::Family<prometheus::Counter>* events_ = nullptr;
  prometheus::Family<prometheus::Counter>* suppressed_ = nullptr;
  std::thread sweeper_; // started once the rest is built
};

} // namespace

void log_limited(spdlog::level::level_enum level, std::string_view kind, std::string_view source,
                 std::string_view message) {
  limiter::instance().log(level, kind, source, message, {});
}

void log_limited(spdlog::level::level_enum level, std::string_view kind, std::string_view source,
                 std::string_view message, std::initializer_list<log_field> fields) {
  limiter::instance().log(level, kind, source, message, fields);
}

void set_log_limits(const log_limit_settings& settings) {
  limiter::instance().configure(settings);
}

void count_log_limits_in(std::shared_ptr<prometheus::Registry> registry) {
  limiter::instance().attach(std::move(registry));
}

log_limit_count log_limit_counts(std::string_view kind) {
  return limiter::instance().counts(kind);
}

} // namespace plugnode::runtime
