// log_limiter: a flood of one kind of warning writes a bounded number of lines (the first ones in full, then
// summaries), with kind and source as JSON fields and the counts in a Prometheus registry.
#include "plugnode/runtime/log_limiter.hpp"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <spdlog/sinks/ostream_sink.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <sstream>
#include <thread>

using namespace plugnode::runtime;
using namespace std::chrono_literals;

namespace {

// The default logger writes JSON lines into `out` while it lives.
struct captured_log {
  std::ostringstream out;
  std::shared_ptr<spdlog::logger> before = spdlog::default_logger();
  captured_log() {
    auto log =
        std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_st>(out));
    log->set_formatter(make_formatter(log_format::json));
    spdlog::set_default_logger(log);
  }
  ~captured_log() { spdlog::set_default_logger(before); }
  std::size_t lines() const {
    auto text = out.str();
    return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
  }
};

} // namespace

TEST_CASE("one source: the first lines in full, then one summary per window", "[log_limiter]") {
  captured_log log;
  set_log_limits({200ms, 2, 5, 3, 2});
  for (int i = 0; i < 1000; ++i)
    log_limited(spdlog::level::warn, "test refusals", "10.0.0.1", "refused one", {{"reason", "test"}});
  CHECK(log.lines() == 2);
  CHECK_THAT(log.out.str(), Catch::Contains(R"("msg":"refused one","reason":"test","kind":"test refusals",)"
                                            R"("source":"10.0.0.1"})"));
  CHECK(log_limit_counts("test refusals").events == 1000);
  CHECK(log_limit_counts("test refusals").suppressed == 998);
  // The sweeper ends the window though no event comes.
  std::this_thread::sleep_for(1500ms);
  CHECK(log.lines() == 3);
  CHECK_THAT(log.out.str(), Catch::Contains("test refusals: 998 more from 10.0.0.1 in the last "));
  CHECK_THAT(log.out.str(), Catch::Contains(R"("suppressed":998)"));
  set_log_limits({});
}

TEST_CASE("many sources: a bound per kind, the rest in one count", "[log_limiter]") {
  captured_log log;
  set_log_limits({10s, 2, 5, 3, 2});
  for (int i = 0; i < 100; ++i)
    for (int source = 0; source < 10; ++source)
      log_limited(spdlog::level::warn, "spread refusals", "10.0.1." + std::to_string(source), "refused");
  CHECK(log.lines() == 5); // per_kind, however many sources
  auto registry = std::make_shared<prometheus::Registry>();
  count_log_limits_in(registry);
  auto metrics = prometheus::TextSerializer().Serialize(registry->Collect());
  CHECK_THAT(metrics, Catch::Contains(R"(plugnode_log_limited_events_total{kind="spread refusals"} 1000)"));
  CHECK_THAT(metrics, Catch::Contains(R"(plugnode_log_suppressed_lines_total{kind="spread refusals"} 995)"));
  // A short window now: the next event ends this one with 2 summaries and one line for the rest.
  set_log_limits({1ms, 2, 5, 3, 2});
  std::this_thread::sleep_for(5ms);
  log_limited(spdlog::level::warn, "spread refusals", "10.0.1.0", "refused");
  auto text = log.out.str();
  CHECK_THAT(text, Catch::Contains("spread refusals: 698 more from other sources in the last "));
  CHECK_THAT(text, Catch::Contains("spread refusals: 99 more from 10.0.1."));
  CHECK_THAT(text, Catch::Contains("spread refusals: 198 more from 2 other sources in the last "));
  set_log_limits({});
}
