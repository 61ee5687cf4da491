#include "plugnode/runtime/log.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/stdout_sinks.h>

#include <cstdio>
#include <memory>

namespace plugnode::runtime {
namespace {

// Formats one record as a JSON object: spdlog's pattern language cannot escape the message, so a quote or a
// newline in a logged value would break the line for the collector.
class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    time_.format(msg, dest);
    auto level = spdlog::level::to_string_view(msg.level);
    fmt::format_to(std::back_inserter(dest), R"(,"level":"{}","msg":"{}"}})", level,
                   json_escape(std::string_view(msg.payload.data(), msg.payload.size())));
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<json_formatter>(); }

private:
  spdlog::pattern_formatter time_{R"({"time":"%Y-%m-%dT%H:%M:%S.%e%z")", spdlog::pattern_time_type::utc, ""};
};

} // namespace

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view text) {
  if (text == "trace")
    return spdlog::level::trace;
  if (text == "debug")
    return spdlog::level::debug;
  if (text == "info")
    return spdlog::level::info;
  if (text == "warn" || text == "warning")
    return spdlog::level::warn;
  if (text == "error")
    return spdlog::level::err;
  if (text == "off")
    return spdlog::level::off;
  return std::nullopt;
}

std::optional<log_format> parse_log_format(std::string_view text) {
  if (text == "text")
    return log_format::text;
  if (text == "json")
    return log_format::json;
  return std::nullopt;
}

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 8);
  for (char c : text) {
    switch (c) {
    case '"': out += "\\\""; break;
    case '\\': out += "\\\\"; break;
    case '\n': out += "\\n"; break;
    case '\r': out += "\\r"; break;
    case '\t': out += "\\t"; break;
    default:
      if (static_cast<unsigned char>(c) < 0x20) {
        char buf[8];
        (void)std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned>(c));
        out += buf;
      } else {
        out += c;
      }
    }
  }
  return out;
}

void configure_logging(const log_options& options) {
  auto sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  auto log = std::make_shared<spdlog::logger>("plugnode", sink);
  if (options.format == log_format::json)
    log->set_formatter(std::make_unique<json_formatter>());
  else
    log->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%l] %v", spdlog::pattern_time_type::utc);
  log->set_level(options.level);
  // A flush per line costs a write(2) per request line under the sink's mutex (the HTTP benchmark lost a
  // third of its throughput to it); warnings and errors still go out at once, the rest within a second.
  log->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(log));
  spdlog::flush_every(std::chrono::seconds(1));
}

} // namespace plugnode::runtime
