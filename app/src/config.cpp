#include "plugnode/app/config.hpp"

#include <arpa/inet.h>

#include <cstdlib>

namespace plugnode::app {
namespace {

// The flag when given, else the environment variable, with the name to blame when the value is bad.
struct setting {
  std::optional<std::string> value;
  std::string source;
};

setting pick(const std::optional<std::string>& flag, const char* flag_name, const env_lookup& env,
             const char* env_name) {
  if (flag)
    return {flag, flag_name};
  return {env(env_name), env_name};
}

} // namespace

env_lookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr)
      return std::nullopt;
    return std::string(value);
  };
}

std::uint16_t parse_port(const std::string& text, const std::string& what) {
  auto bad = [&] { return config_error(what + ": '" + text + "' is not a port number (1-65535)"); };
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
    throw bad();
  auto port = std::stoul(text);
  if (port < 1 || port > 65535)
    throw bad();
  return static_cast<std::uint16_t>(port);
}

config load_config(const config_flags& flags, const env_lookup& env) {
  config cfg;
  if (auto port = pick(flags.http_port, "--http-port", env, "HTTP_PORT"); port.value)
    cfg.http_port = parse_port(*port.value, port.source);
  if (auto addr = pick(flags.http_addr, "--http-addr", env, "PLUGNODE_HTTP_ADDR"); addr.value) {
    in_addr v4{};
    in6_addr v6{};
    if (inet_pton(AF_INET, addr.value->c_str(), &v4) != 1 &&
        inet_pton(AF_INET6, addr.value->c_str(), &v6) != 1)
      throw config_error(addr.source + ": '" + *addr.value + "' is not an IP address");
    cfg.http_addr = *addr.value;
  }
  if (auto level = pick(flags.log_level, "--log-level", env, "LOG_LEVEL"); level.value) {
    auto parsed = runtime::parse_log_level(*level.value);
    if (!parsed)
      throw config_error(level.source + ": '" + *level.value +
                         "' is not a log level (trace, debug, info, warn, error, off)");
    cfg.log.level = *parsed;
  }
  if (auto format = pick(flags.log_format, "--log-format", env, "LOG_FORMAT"); format.value) {
    auto parsed = runtime::parse_log_format(*format.value);
    if (!parsed)
      throw config_error(format.source + ": '" + *format.value + "' is not a log format (text, json)");
    cfg.log.format = *parsed;
  }
  return cfg;
}

} // namespace plugnode::app
