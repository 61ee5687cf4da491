// config: the node's effective configuration, from the environment (the names operators and the deploy files
// use, see docs/architecture.md) overridden by flags. Every value is checked here, at start-up, so a bad one
// stops the node with one line naming it instead of failing later.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>

#include "plugnode/runtime/log.hpp"

namespace plugnode::app {

struct config {
  std::string http_addr = "0.0.0.0";
  std::uint16_t http_port = 4000;
  runtime::log_options log;
};

// A value that stops start-up; what() is the one line to print, naming the variable or flag.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads one environment variable; nullopt when unset. Tests pass their own.
using env_lookup = std::function<std::optional<std::string>(const char* name)>;
env_lookup process_env();

// Flags as given on the command line, unset when absent: they win over the environment.
struct config_flags {
  std::optional<std::string> http_addr;
  std::optional<std::string> http_port;
  std::optional<std::string> log_level;
  std::optional<std::string> log_format;
};

// Builds the effective configuration; throws config_error on the first bad value.
config load_config(const config_flags& flags, const env_lookup& env);

// Parses a TCP port (1-65535); `what` names the source in the error ("HTTP_PORT", "--http-port").
std::uint16_t parse_port(const std::string& text, const std::string& what);

} // namespace plugnode::app
