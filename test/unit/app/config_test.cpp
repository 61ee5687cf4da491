#include "plugnode/app/config.hpp"

#include <catch2/catch.hpp>

#include <map>

using namespace plugnode::app;

namespace {
env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}
} // namespace

TEST_CASE("defaults: HTTP on 0.0.0.0:4000, info, text", "[config]") {
  auto cfg = load_config({}, env_of({}));
  CHECK(cfg.http_port == 4000);
  CHECK(cfg.http_addr == "0.0.0.0");
  CHECK(cfg.log.format == plugnode::runtime::log_format::text);
}

TEST_CASE("the environment sets values and flags win over it", "[config]") {
  auto env = env_of({{"HTTP_PORT", "4100"}, {"LOG_FORMAT", "json"}});
  CHECK(load_config({}, env).http_port == 4100);
  config_flags flags;
  flags.http_port = "4200";
  CHECK(load_config(flags, env).http_port == 4200);
  CHECK(load_config(flags, env).log.format == plugnode::runtime::log_format::json);
}

TEST_CASE("a bad value is refused with a message naming where it came from", "[config]") {
  for (std::string bad : {"abc", "0", "65536", "-1", "", "4000x", "99999999999"}) {
    INFO(bad);
    CHECK_THROWS_WITH(load_config({}, env_of({{"HTTP_PORT", bad}})), Catch::StartsWith("HTTP_PORT: '" + bad));
  }
  config_flags flags;
  flags.http_port = "x";
  CHECK_THROWS_WITH(load_config(flags, env_of({})), Catch::StartsWith("--http-port"));
  CHECK_THROWS_WITH(load_config({}, env_of({{"PLUGNODE_HTTP_ADDR", "nowhere"}})),
                    Catch::StartsWith("PLUGNODE_HTTP_ADDR"));
  CHECK_THROWS_WITH(load_config({}, env_of({{"LOG_LEVEL", "loud"}})), Catch::StartsWith("LOG_LEVEL"));
}
