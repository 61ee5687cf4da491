// config_values: parsers for the kinds of value the configuration holds (ports, durations, addresses, URLs).
// Each takes the text and the name of where it came from ("HTTP_PORT", "--http-port") and throws
// config_error with one line naming that source, so every setting fails the same way.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace plugnode::app {

// A value that stops start-up; what() is the one line to print, naming the variable or flag.
struct config_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A TCP port, 1-65535.
std::uint16_t parse_port(const std::string& text, const std::string& what);

// A duration with a unit: `500ms`, `5s`, `2m`, `1h` (no unit, zero or negative refused: a bare number is
// ambiguous and a zero interval would spin).
std::chrono::milliseconds parse_duration(const std::string& text, const std::string& what);
// The shortest exact spelling parse_duration reads back: `1500ms`, `5s`, `2m`.
std::string format_duration(std::chrono::milliseconds value);

// A whole number from `min` to `max` (a count: workers, connections).
std::size_t parse_count(const std::string& text, const std::string& what, std::size_t min, std::size_t max);

// A size in bytes with a unit: `64KB`, `1MB`, `2GB` (1024-based), `4096B`; from 1KB to 1GB, or to `max`.
std::uint64_t parse_bytes(const std::string& text, const std::string& what);
std::uint64_t parse_bytes_up_to(const std::string& text, const std::string& what, std::uint64_t max);
// The shortest exact spelling parse_bytes reads back: `1MB`, `96KB`, `1500B` (`2GB` past 1024MB).
std::string format_bytes(std::uint64_t value);

// An IPv4 or IPv6 address literal.
std::string parse_ip_address(const std::string& text, const std::string& what);

// true|false (also on|off, yes|no, 1|0), for switches such as PLUGNODE_ERLANG_DIST.
bool parse_switch(const std::string& text, const std::string& what);

// What the checker asks: an http or https URL split into its parts.
struct http_target {
  std::string scheme = "http";
  std::string host;
  std::uint16_t port = 80;
  std::string path = "/";

  // `http://host:port/path`, the label the checker's metrics carry.
  std::string url() const;
};

// `http[s]://host[:port][/path]`.
http_target parse_http_url(const std::string& text, const std::string& what);
// `host[:port]` (the starter's CHECK_HOST): http, path `/`.
http_target parse_http_host(const std::string& text, const std::string& what);

} // namespace plugnode::app
