// Process-wide logging for every layer: spdlog underneath, one line per event, as text for people or as one
// JSON object per line for log collectors (LOG_FORMAT=json). Configure once at start-up, then log through
// spdlog's default logger (`spdlog::info(...)`) or `plugnode::runtime::logger()`.
#pragma once

#include <initializer_list>
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

// One field of a structured line: a key of its own in a JSON line (beside time, level and msg), for log
// pipelines that index them; a text line shows the message only, which says the same for people.
struct log_field {
  std::string_view key;
  std::string_view value;
  bool number = false; // written unquoted in JSON (a status, a duration)
};

// Writes `message` at `level` to `to` with `fields`. The fields reach the formatter on the calling thread,
// so `to` must format synchronously (every logger configure_logging and make_formatter make does).
void log_fields(spdlog::level::level_enum level, const log_field* fields, std::size_t count,
                std::string_view message, spdlog::logger& to = logger());
inline void log_fields(spdlog::level::level_enum level, std::initializer_list<log_field> fields,
                       std::string_view message, spdlog::logger& to = logger()) {
  log_fields(level, fields.begin(), fields.size(), message, to);
}

} // namespace plugnode::runtime
