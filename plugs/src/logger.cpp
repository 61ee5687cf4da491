// The request and response log lines of logger.hpp.
#include "plugnode/plugs/logger.hpp"

#include <algorithm>
#include <chrono>
#include <string_view>

#include "plugnode/plugs/request_id.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugnode::plugs {
namespace {

// A duration as milliseconds with three decimals: "1.234ms".
struct millis {
  std::chrono::microseconds took;
};

// The lines are put together piece by piece and handed to spdlog whole: parsing a format string cost more
// than all the rest of a line.
class line {
public:
  line& operator<<(std::string_view text) {
    buf_.append(text.data(), text.data() + text.size());
    return *this;
  }
  line& operator<<(long long number) {
    fmt::format_int digits(number);
    buf_.append(digits.data(), digits.data() + digits.size());
    return *this;
  }
  line& operator<<(millis m) {
    auto us = m.took.count();
    *this << us / 1000;
    char fraction[] = ".000ms";
    fraction[1] = static_cast<char>('0' + us / 100 % 10);
    fraction[2] = static_cast<char>('0' + us / 10 % 10);
    fraction[3] = static_cast<char>('0' + us % 10);
    buf_.append(fraction, fraction + sizeof fraction - 1);
    return *this;
  }
  // With the request's fields as JSON keys of their own (log.hpp), for collectors that index them.
  void log(spdlog::logger& to, spdlog::level::level_enum level,
           std::initializer_list<runtime::log_field> fields) const {
    runtime::log_fields(level, fields, std::string_view(buf_.data(), buf_.size()), to);
  }

private:
  fmt::memory_buffer buf_;
};

} // namespace

void logger::call(conn& c) const {
  spdlog::logger* log = log_ ? log_.get() : &runtime::logger();
  if (!log->should_log(level_))
    return;
  const auto& id = request_id_of(c);
  (line() << c.method << " " << c.path << " request_id=" << id)
      .log(*log, level_, {{"method", c.method}, {"path", c.path}, {"request_id", id}});
  auto start = std::chrono::steady_clock::now();
  c.register_before_send([log, level = level_, start](conn& sent) {
    auto took = std::chrono::round<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
    const auto& sent_id = request_id_of(sent);
    fmt::format_int status(sent.status);
    char duration[32];
    auto written =
        fmt::format_to_n(duration, sizeof duration, "{:.3f}", static_cast<double>(took.count()) / 1000);
    (line() << "Sent " << sent.status << " in " << millis{took} << " request_id=" << sent_id)
        .log(*log, level,
             {{"method", sent.method},
              {"path", sent.path},
              {"status", std::string_view(status.data(), status.size()), true},
              {"duration_ms", std::string_view(duration, std::min(written.size, sizeof duration)), true},
              {"request_id", sent_id}});
  });
}

} // namespace plugnode::plugs
