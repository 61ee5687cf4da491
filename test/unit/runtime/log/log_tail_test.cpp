// log_tail: the last lines the logger wrote, as the dashboard reads them.
#include "plugnode/runtime/log_tail.hpp"

#include <catch2/catch.hpp>
#include <spdlog/spdlog.h>

#include <string>

using namespace plugnode::runtime;

TEST_CASE("the tail keeps the latest lines, oldest first, filtered by level and cut to a bound",
          "[log_tail]") {
  spdlog::logger log("tail-test", log_tail_sink());
  log.set_level(spdlog::level::trace);
  for (int i = 0; i < 300; ++i)
    log.log(i % 10 == 0 ? spdlog::level::warn : spdlog::level::info, "line {}", i);
  log.info(std::string(2000, 'x'));

  auto lines = recent_log_lines(5, spdlog::level::info);
  REQUIRE(lines.size() == 5);
  CHECK(lines[0].text == "line 296");
  CHECK(lines[3].text == "line 299");
  CHECK(lines[4].text == std::string(max_log_tail_text, 'x'));
  CHECK(lines[3].seq + 1 == lines[4].seq);

  auto warnings = recent_log_lines(100, spdlog::level::warn);
  REQUIRE(warnings.size() == 25); // the ring of 256 holds lines 45 .. 299 and the long one
  CHECK(warnings.front().text == "line 50");
  CHECK(warnings.back().text == "line 290");
  CHECK(warnings.back().level == spdlog::level::warn);
  CHECK(recent_log_lines(1000, spdlog::level::trace).size() == log_tail_lines);
}
