// The in-memory tail of the log; see log_tail.hpp.
#include "plugnode/runtime/log_tail.hpp"

#include <spdlog/sinks/sink.h>

#include <array>
#include <atomic>
#include <mutex>

namespace plugnode::runtime {
namespace {

struct slot {
  std::mutex mutex;
  log_line line; // seq 0: never written
};

struct tail {
  std::atomic<std::uint64_t> written{0};
  std::array<slot, log_tail_lines> slots;
};

tail& the_tail() {
  static tail t;
  return t;
}

class tail_sink final : public spdlog::sinks::sink {
public:
  void log(const spdlog::details::log_msg& msg) override {
    auto& t = the_tail();
    auto seq = t.written.fetch_add(1, std::memory_order_relaxed) + 1;
    auto& s = t.slots[seq % log_tail_lines];
    auto size = std::min(msg.payload.size(), max_log_tail_text);
    std::lock_guard lock(s.mutex);
    // Two writers a whole ring apart: the later line wins.
    if (s.line.seq > seq)
      return;
    s.line.seq = seq;
    s.line.time_ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    s.line.level = msg.level;
    s.line.text.assign(msg.payload.data(), size);
  }
  void flush() override {}
  void set_pattern(const std::string&) override {}
  void set_formatter(std::unique_ptr<spdlog::formatter>) override {}
};

} // namespace

std::shared_ptr<spdlog::sinks::sink> log_tail_sink() {
  static auto sink = std::make_shared<tail_sink>();
  return sink;
}

std::vector<log_line> recent_log_lines(std::size_t count, spdlog::level::level_enum min_level) {
  auto& t = the_tail();
  auto last = t.written.load(std::memory_order_relaxed);
  std::vector<log_line> out;
  auto first = last > log_tail_lines ? last - log_tail_lines + 1 : 1;
  for (auto seq = last; seq >= first && out.size() < count; --seq) {
    auto& s = t.slots[seq % log_tail_lines];
    std::lock_guard lock(s.mutex);
    if (s.line.seq == seq && s.line.level >= min_level)
      out.push_back(s.line);
  }
  return {out.rbegin(), out.rend()};
}

} // namespace plugnode::runtime
