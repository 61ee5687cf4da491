// log_limiter: warnings a client can cause (refused handshakes, failed connects, bad requests) written at a
// bounded rate, so no client can make the node write more than a bounded amount per second. Per kind, each
// window writes the first lines in full (a few per source), then counts the rest and writes one summary line
// per source at the window's end ("refused handshakes: 12345 more from 127.0.0.5 in the last 5 s"). The
// counts are in /metrics once a registry is attached: plugnode_log_limited_events_total{kind} and
// plugnode_log_suppressed_lines_total{kind}.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <string_view>

#include <spdlog/common.h>

#include "plugnode/runtime/log.hpp"

namespace prometheus {
class Registry;
}

namespace plugnode::runtime {

struct log_limit_settings {
  std::chrono::milliseconds window{5000}; // how often a flood gets its summary
  std::size_t per_source = 3;             // lines in full per kind and source in one window
  std::size_t per_kind = 20;              // lines in full per kind in one window, whatever the sources
  std::size_t sources = 256;              // sources tracked per kind; the rest share one count
  std::size_t summaries = 10;             // summary lines per kind and window; the rest in one more
};

// `kind` names what happened as a plural noun phrase ("refused handshakes"), `source` who caused it (an
// address); `message` is the line in full, with `fields` as JSON keys (log.hpp) and kind and source added.
void log_limited(spdlog::level::level_enum level, std::string_view kind, std::string_view source,
                 std::string_view message);
void log_limited(spdlog::level::level_enum level, std::string_view kind, std::string_view source,
                 std::string_view message, std::initializer_list<log_field> fields);

// Replaces the limits (tests; the defaults suit a node). Counts so far are kept.
void set_log_limits(const log_limit_settings& settings);

// Counts from now on (and so far) in `registry`, which /metrics renders.
void count_log_limits_in(std::shared_ptr<prometheus::Registry> registry);

// Events of `kind` seen and lines of it left out so far, for tests and benchmarks.
struct log_limit_count {
  std::uint64_t events = 0;
  std::uint64_t suppressed = 0;
};
log_limit_count log_limit_counts(std::string_view kind);

} // namespace plugnode::runtime
