// spdlog set up as text or JSON lines, with a formatter of its own for JSON (spdlog's patterns cannot
// escape the message); see log.hpp.
#include "plugnode/runtime/log.hpp"

#include "plugnode/runtime/log_tail.hpp"

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/sink.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <memory>
#include <mutex>

namespace plugnode::runtime {
namespace {

// The fields of the line being written on this thread (set by log_fields for the length of one call).
struct field_list {
  const log_field* data = nullptr;
  std::size_t size = 0;
};
thread_local field_list current_fields;

// Appends text as the body of a JSON string; runs of plain characters are copied whole.
template <class Buffer> void append_json_escaped(std::string_view text, Buffer& out) {
  const char* plain = text.data();
  for (const char* p = text.data(); p != text.data() + text.size(); ++p) {
    auto c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c != '"' && c != '\\')
      continue;
    out.append(plain, p);
    plain = p + 1;
    const char* escaped = nullptr;
    switch (c) {
    case '"': escaped = "\\\""; break;
    case '\\': escaped = "\\\\"; break;
    case '\n': escaped = "\\n"; break;
    case '\r': escaped = "\\r"; break;
    case '\t': escaped = "\\t"; break;
    default: break;
    }
    if (escaped) {
      out.append(escaped, escaped + 2);
      continue;
    }
    static constexpr char hex[] = "0123456789abcdef";
    const char code[] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 0xf]};
    out.append(code, code + sizeof code);
  }
  out.append(plain, text.data() + text.size());
}

// The time stamp every line starts with, "2026-11-27T21:34:34.123+00:00" (UTC). The part up to the seconds
// is formatted once a second: spdlog's pattern ran a formatter per field for every line, under the sink's
// lock. A formatter is used by one thread at a time (spdlog's sinks lock it, ours copies it per thread).
class utc_stamp {
public:
  void append(std::chrono::system_clock::time_point time, spdlog::memory_buf_t& dest) {
    auto since_epoch = time.time_since_epoch();
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
    if (seconds != cached_ || length_ == 0) {
      std::time_t t = seconds.count();
      std::tm tm{};
      gmtime_r(&t, &tm);
      auto out =
          fmt::format_to_n(prefix_, sizeof prefix_, "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.", tm.tm_year + 1900,
                           tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
      length_ = std::min(out.size, sizeof prefix_);
      cached_ = seconds;
    }
    dest.append(prefix_, prefix_ + length_);
    auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
    char tail[] = "000+00:00"; // UTC, as spdlog's %z wrote it
    tail[0] = static_cast<char>('0' + millis / 100);
    tail[1] = static_cast<char>('0' + millis / 10 % 10);
    tail[2] = static_cast<char>('0' + millis % 10);
    dest.append(tail, tail + sizeof tail - 1);
  }

private:
  std::chrono::seconds cached_{0};
  char prefix_[32] = {};
  std::size_t length_ = 0;
};

void append(spdlog::memory_buf_t& dest, std::string_view text) {
  dest.append(text.data(), text.data() + text.size());
}

// "2026-11-27T21:34:34.123+00:00 [info] message"
class text_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    stamp_.append(msg.time, dest);
    append(dest, " [");
    auto level = spdlog::level::to_string_view(msg.level);
    append(dest, std::string_view(level.data(), level.size()));
    append(dest, "] ");
    append(dest, std::string_view(msg.payload.data(), msg.payload.size()));
    dest.push_back('\n');
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<text_formatter>(); }

private:
  utc_stamp stamp_;
};

// One JSON object per record: spdlog's pattern language cannot escape the message, so a quote or a newline
// in a logged value would break the line for the collector.
class json_formatter final : public spdlog::formatter {
public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    append(dest, R"({"time":")");
    stamp_.append(msg.time, dest);
    append(dest, R"(","level":")");
    auto level = spdlog::level::to_string_view(msg.level);
    append(dest, std::string_view(level.data(), level.size()));
    append(dest, R"(","msg":")");
    append_json_escaped(std::string_view(msg.payload.data(), msg.payload.size()), dest);
    append(dest, "\"");
    for (std::size_t i = 0; i < current_fields.size; ++i) {
      const auto& field = current_fields.data[i];
      append(dest, ",\"");
      append_json_escaped(field.key, dest);
      append(dest, field.number ? "\":" : "\":\"");
      append_json_escaped(field.value, dest);
      if (!field.number)
        append(dest, "\"");
    }
    append(dest, "}\n");
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<json_formatter>(); }

private:
  utc_stamp stamp_;
};

// stdout through stdio's buffer: spdlog's stdout sink flushes after every line whatever flush_on says, a
// write(2) per line under its lock (a third of the HTTP benchmark's throughput). Each thread formats with
// its own copy of the formatter, so the one lock a line takes is stdio's on stdout, for the copy into its
// buffer: request threads do not queue behind each other's formatting (nor behind one preempted there).
class buffered_stdout_sink final : public spdlog::sinks::sink {
public:
  // spdlog::shutdown() drops the logger without a flush, and a std::_Exit after it would lose the lines.
  ~buffered_stdout_sink() override { std::fflush(stdout); }
  void log(const spdlog::details::log_msg& msg) override {
    spdlog::memory_buf_t line;
    own_formatter().format(msg, line);
    std::fwrite(line.data(), 1, line.size(), stdout);
  }
  void flush() override { std::fflush(stdout); }
  void set_pattern(const std::string& pattern) override {
    set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
  }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    std::lock_guard lock(mutex_);
    formatter_ = std::move(formatter);
    version_.store(++versions, std::memory_order_release);
  }

private:
  // Unique across sinks, so a thread never takes its copy from one sink for another's.
  static inline std::atomic<std::uint64_t> versions{0};

  spdlog::formatter& own_formatter() {
    thread_local std::uint64_t copied = 0;
    thread_local std::unique_ptr<spdlog::formatter> copy;
    if (copied != version_.load(std::memory_order_acquire)) {
      std::lock_guard lock(mutex_);
      copy = formatter_->clone();
      copied = version_.load(std::memory_order_relaxed);
    }
    return *copy;
  }

  std::mutex mutex_; // guards formatter_ while it is replaced or copied
  std::unique_ptr<spdlog::formatter> formatter_ = std::make_unique<text_formatter>();
  std::atomic<std::uint64_t> version_{++versions};
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
  append_json_escaped(text, out);
  return out;
}

std::unique_ptr<spdlog::formatter> make_formatter(log_format format) {
  if (format == log_format::json)
    return std::make_unique<json_formatter>();
  return std::make_unique<text_formatter>();
}

void log_fields(spdlog::level::level_enum level, const log_field* fields, std::size_t count,
                std::string_view message, spdlog::logger& to) {
  if (!to.should_log(level))
    return;
  current_fields = {fields, count};
  to.log(level, spdlog::string_view_t(message.data(), message.size()));
  current_fields = {};
}

void configure_logging(const log_options& options) {
  auto sink = std::make_shared<buffered_stdout_sink>();
  // The tail too: the dashboard shows the last lines (log_tail.hpp).
  auto log = std::make_shared<spdlog::logger>("plugnode", spdlog::sinks_init_list{sink, log_tail_sink()});
  log->set_formatter(make_formatter(options.format));
  log->set_level(options.level);
  // Warnings and errors go out at once, the rest within a second (or with the next warning).
  log->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(log));
  spdlog::flush_every(std::chrono::seconds(1));
}

} // namespace plugnode::runtime
