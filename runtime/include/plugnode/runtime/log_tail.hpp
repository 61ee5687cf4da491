// log_tail: the last lines the node's log wrote, kept in memory for the operator dashboard. It is a sink of
// the logger configure_logging installs (log.hpp), so it holds what the log holds after the level and the
// limiter (log_limiter.hpp) had their say: a client cannot fill it faster than it can fill the log. Each
// line is cut to a bound, and a write takes one slot's lock, never a lock all writers share.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/common.h>

namespace spdlog::sinks {
class sink;
}

namespace plugnode::runtime {

struct log_line {
  std::uint64_t seq = 0;    // 1 for the first line the process logged, and so on
  std::int64_t time_ms = 0; // since the Unix epoch
  spdlog::level::level_enum level = spdlog::level::info;
  std::string text; // the message, at most max_log_tail_text bytes
};

inline constexpr std::size_t log_tail_lines = 256;
inline constexpr std::size_t max_log_tail_text = 512;

// The sink that feeds recent_log_lines; configure_logging adds it to the default logger.
std::shared_ptr<spdlog::sinks::sink> log_tail_sink();

// Up to `count` of the latest lines at `min_level` or above, oldest first.
std::vector<log_line> recent_log_lines(std::size_t count, spdlog::level::level_enum min_level);

} // namespace plugnode::runtime
