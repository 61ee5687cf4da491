#include "plugnode/runtime/log.hpp"

#include <catch2/catch.hpp>
#include <spdlog/pattern_formatter.h>

#include <chrono>
#include <string>

using namespace plugnode::runtime;

TEST_CASE("LOG_LEVEL and LOG_FORMAT values parse, unknown ones do not", "[log]") {
  CHECK(parse_log_level("debug") == spdlog::level::debug);
  CHECK(parse_log_level("warning") == spdlog::level::warn);
  CHECK_FALSE(parse_log_level("loud"));
  CHECK(parse_log_format("json") == log_format::json);
  CHECK_FALSE(parse_log_format("xml"));
}

TEST_CASE("JSON log lines escape what would break them", "[log]") {
  CHECK(json_escape("say \"hi\"\n\\") == "say \\\"hi\\\"\\n\\\\");
  CHECK(json_escape(std::string("a\x01z")) == "a\\u0001z");
}

namespace {

std::string formatted(spdlog::formatter& f, std::chrono::system_clock::time_point time, std::string_view text,
                      spdlog::level::level_enum level = spdlog::level::info) {
  spdlog::details::log_msg msg(time, spdlog::source_loc{}, "plugnode", level,
                               spdlog::string_view_t(text.data(), text.size()));
  spdlog::memory_buf_t out;
  f.format(msg, out);
  return std::string(out.data(), out.size());
}

} // namespace

TEST_CASE("text log lines look as the pattern they replace made them, second after second", "[log]") {
  spdlog::pattern_formatter pattern("%Y-%m-%dT%H:%M:%S.%e%z [%l] %v", spdlog::pattern_time_type::utc);
  auto text = make_formatter(log_format::text);
  using std::chrono::milliseconds;
  auto t0 = std::chrono::system_clock::time_point(milliseconds(1795796074000)); // 2026-11-27T16:14:34.000Z
  for (auto offset : {0, 1, 999, 1000, 1001, 61999, 86400000}) {
    auto t = t0 + milliseconds(offset);
    CHECK(formatted(*text, t, "GET / request_id=x") == formatted(pattern, t, "GET / request_id=x"));
  }
  CHECK(formatted(*text, t0, "x", spdlog::level::warn) == formatted(pattern, t0, "x", spdlog::level::warn));
}

TEST_CASE("JSON log lines carry the same time stamp and an escaped message", "[log]") {
  spdlog::pattern_formatter stamp("%Y-%m-%dT%H:%M:%S.%e%z", spdlog::pattern_time_type::utc, "");
  auto json = make_formatter(log_format::json);
  auto t = std::chrono::system_clock::time_point(std::chrono::milliseconds(1795796074123));
  CHECK(formatted(*json, t, "say \"hi\"\n", spdlog::level::err) ==
        R"({"time":")" + formatted(stamp, t, "") + R"(","level":"error","msg":"say \"hi\"\n"})" + "\n");
}
