// Process-wide logging for every layer: spdlog underneath, one line per event, as text for people or as one
// JSON object per line for log collectors (LOG_FORMAT=json). Configure once at start-up, then log through
// spdlog's default logger (`spdlog::info(...)`) or `plugnode::runtime::logger()`.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

namespace plugnode::runtime {

enum class log_format { text, json };

struct log_options {
  spdlog::level::level_enum level = spdlog::level::info;
  log_format format = log_format::text;
};

// Parse LOG_LEVEL / LOG_FORMAT values; nullopt names an unknown value.
std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text);
std::optional<log_format> parse_log_format(std::string_view text);

// Installs the default logger writing to stdout with the given level and format.
void configure_logging(const log_options& options);

// The line format configure_logging installs, for a logger of one's own (another sink, a benchmark):
// "2026-11-27T21:34:34.123+00:00 [info] message", or a JSON object with time, level and msg.
std::unique_ptr<spdlog::formatter> make_formatter(log_format format);

// Escapes text for a JSON string body (without the quotes).
std::string json_escape(std::string_view text);

inline spdlog::logger& logger() {
  return *spdlog::default_logger_raw();
}

} // namespace plugnode::runtime
