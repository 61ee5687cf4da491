#include "plugnode/runtime/log.hpp"

#include <catch2/catch.hpp>

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
