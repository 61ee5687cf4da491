// The value parsers of config_values.hpp.
#include "plugnode/app/config_values.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cctype>
#include <utility>

namespace plugnode::app {
namespace {

bool all_digits(const std::string& text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); });
}

config_error bad(const std::string& what, const std::string& text, const std::string& expected) {
  return config_error(what + ": '" + text + "' is not " + expected);
}

// "<digits><unit>" (500ms, 64KB): the number (at most 9 digits) and the unit as written, not yet checked.
std::pair<std::uint64_t, std::string> amount_of(const std::string& text, const std::string& what,
                                                const std::string& expected) {
  auto unit_at = text.find_first_not_of("0123456789");
  auto number = text.substr(0, unit_at);
  if (!all_digits(number) || number.size() > 9)
    throw bad(what, text, expected);
  return {std::stoull(number), unit_at == std::string::npos ? std::string() : text.substr(unit_at)};
}

// A host name or address as a URL or CHECK_HOST carries it: letters, digits, '-', '.', or an IPv6 literal in
// brackets. Anything else (spaces, '@', '/') would change what the request line means.
bool valid_host(const std::string& host) {
  if (host.empty() || host.size() > 253)
    return false;
  if (host.front() == '[') {
    in6_addr v6{};
    return host.back() == ']' && inet_pton(AF_INET6, host.substr(1, host.size() - 2).c_str(), &v6) == 1;
  }
  return std::all_of(host.begin(), host.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '-' || c == '.'; });
}

// Splits `host[:port]` (`[v6]:port` for IPv6); the port stays as given by `default_port` when absent.
void split_host_port(const std::string& text, const std::string& what, const std::string& expected,
                     http_target& target) {
  auto colon = text.rfind(':');
  bool has_port = colon != std::string::npos && text.find(']', colon) == std::string::npos;
  target.host = has_port ? text.substr(0, colon) : text;
  if (!valid_host(target.host))
    throw bad(what, text, expected);
  if (has_port) {
    auto port = text.substr(colon + 1);
    if (!all_digits(port) || port.size() > 5 || std::stoul(port) < 1 || std::stoul(port) > 65535)
      throw bad(what, text, expected + " (bad port)");
    target.port = static_cast<std::uint16_t>(std::stoul(port));
  }
}

} // namespace

std::uint16_t parse_port(const std::string& text, const std::string& what) {
  if (!all_digits(text) || text.size() > 5 || std::stoul(text) < 1 || std::stoul(text) > 65535)
    throw bad(what, text, "a port number (1-65535)");
  return static_cast<std::uint16_t>(std::stoul(text));
}

std::size_t parse_count(const std::string& text, const std::string& what, std::size_t min, std::size_t max) {
  auto expected = "a whole number from " + std::to_string(min) + " to " + std::to_string(max);
  if (!all_digits(text) || text.size() > 9 || std::stoull(text) < min || std::stoull(text) > max)
    throw bad(what, text, expected);
  return static_cast<std::size_t>(std::stoull(text));
}

std::chrono::milliseconds parse_duration(const std::string& text, const std::string& what) {
  auto expected = "a duration such as 500ms, 5s, 2m or 1h";
  auto [count, unit] = amount_of(text, what, expected);
  std::chrono::milliseconds value;
  if (unit == "ms")
    value = std::chrono::milliseconds(count);
  else if (unit == "s")
    value = std::chrono::seconds(count);
  else if (unit == "m")
    value = std::chrono::minutes(count);
  else if (unit == "h")
    value = std::chrono::hours(count);
  else
    throw bad(what, text, expected);
  if (value.count() == 0)
    throw config_error(what + ": '" + text + "' must be longer than zero");
  return value;
}

std::uint64_t parse_bytes(const std::string& text, const std::string& what) {
  return parse_bytes_up_to(text, what, std::uint64_t{1} << 30);
}

std::uint64_t parse_bytes_up_to(const std::string& text, const std::string& what, std::uint64_t max) {
  auto expected = "a size such as 64KB, 1MB or 4096B";
  auto [value, unit] = amount_of(text, what, expected);
  if (unit == "KB")
    value <<= 10;
  else if (unit == "MB")
    value <<= 20;
  else if (unit == "GB")
    value <<= 30;
  else if (unit != "B")
    throw bad(what, text, expected);
  if (value < 1024 || value > max)
    throw config_error(what + ": '" + text + "' must be from 1KB to " + format_bytes(max));
  return value;
}

std::string format_bytes(std::uint64_t value) {
  if (value > (std::uint64_t{1} << 30) && value % (std::uint64_t{1} << 30) == 0)
    return std::to_string(value >> 30) + "GB";
  if (value % (1024 * 1024) == 0)
    return std::to_string(value / (1024 * 1024)) + "MB";
  if (value % 1024 == 0)
    return std::to_string(value / 1024) + "KB";
  return std::to_string(value) + "B";
}

std::string format_duration(std::chrono::milliseconds value) {
  auto ms = value.count();
  if (ms % 3'600'000 == 0)
    return std::to_string(ms / 3'600'000) + "h";
  if (ms % 60'000 == 0)
    return std::to_string(ms / 60'000) + "m";
  if (ms % 1000 == 0)
    return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::string parse_ip_address(const std::string& text, const std::string& what) {
  in_addr v4{};
  in6_addr v6{};
  if (inet_pton(AF_INET, text.c_str(), &v4) != 1 && inet_pton(AF_INET6, text.c_str(), &v6) != 1)
    throw bad(what, text, "an IP address");
  return text;
}

bool parse_switch(const std::string& text, const std::string& what) {
  for (const char* on : {"true", "on", "yes", "1"})
    if (text == on)
      return true;
  for (const char* off : {"false", "off", "no", "0"})
    if (text == off)
      return false;
  throw bad(what, text, "true or false");
}

std::string http_target::url() const {
  bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  return scheme + "://" + host + (default_port ? "" : ":" + std::to_string(port)) + path;
}

http_target parse_http_url(const std::string& text, const std::string& what) {
  auto expected = "an http(s) URL such as http://host:port/path";
  auto scheme_end = text.find("://");
  if (scheme_end == std::string::npos)
    throw bad(what, text, expected);
  http_target target;
  target.scheme = text.substr(0, scheme_end);
  if (target.scheme != "http" && target.scheme != "https")
    throw bad(what, text, expected);
  target.port = target.scheme == "https" ? 443 : 80;
  auto rest = text.substr(scheme_end + 3);
  auto slash = rest.find('/');
  split_host_port(rest.substr(0, slash), what, expected, target);
  if (slash != std::string::npos)
    target.path = rest.substr(slash);
  if (std::any_of(target.path.begin(), target.path.end(),
                  [](unsigned char c) { return c <= ' ' || c == 0x7f || c == '#'; }))
    throw bad(what, text, expected);
  return target;
}

http_target parse_http_host(const std::string& text, const std::string& what) {
  http_target target;
  split_host_port(text, what, "a host name or address with an optional :port", target);
  return target;
}

} // namespace plugnode::app
