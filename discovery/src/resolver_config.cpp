// resolv.conf and PLUGNODE_DNS_SERVER parsing; see resolver_config.hpp.
#include "plugnode/discovery/resolver_config.hpp"

#include <algorithm>
#include <charconv>
#include <fstream>
#include <sstream>

#include "plugnode/runtime/host_resolver.hpp"

namespace plugnode::discovery {
namespace {

std::vector<std::string> words(std::string_view line) {
  std::vector<std::string> out;
  std::istringstream in{std::string(line)};
  for (std::string word; in >> word;)
    out.push_back(word);
  return out;
}

std::optional<int> option_value(std::string_view option, std::string_view name) {
  if (option.substr(0, name.size()) != name || option.size() == name.size())
    return std::nullopt;
  int value = 0;
  auto digits = option.substr(name.size());
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (ec != std::errc{} || end != digits.data() + digits.size())
    return std::nullopt;
  return value;
}

} // namespace

std::string nameserver::to_string() const {
  auto host = address.find(':') != std::string::npos ? "[" + address + "]" : address;
  return host + ":" + std::to_string(port);
}

resolver_config parse_resolv_conf(std::string_view text) {
  resolver_config config;
  std::istringstream in{std::string(text)};
  for (std::string line; std::getline(in, line);) {
    auto w = words(line.substr(0, line.find_first_of("#;")));
    if (w.empty())
      continue;
    if (w[0] == "nameserver" && w.size() >= 2 && runtime::is_ip_address(w[1])) {
      config.nameservers.push_back({w[1], 53});
    } else if (w[0] == "search" || w[0] == "domain") {
      config.search.assign(w.begin() + 1, w.end());
    } else if (w[0] == "options") {
      for (std::size_t i = 1; i < w.size(); ++i) {
        if (auto n = option_value(w[i], "ndots:"))
          config.ndots = std::min(*n, 15); // glibc's cap
        else if (auto t = option_value(w[i], "timeout:"); t && *t > 0)
          config.timeout = std::chrono::seconds(*t);
        else if (auto a = option_value(w[i], "attempts:"); a && *a > 0)
          config.attempts = std::min(*a, 5);
      }
    }
  }
  return config;
}

std::optional<resolver_config> load_resolv_conf(const std::string& path, std::string* error) {
  std::ifstream in(path);
  if (!in) {
    if (error)
      *error = "cannot read " + path;
    return std::nullopt;
  }
  std::stringstream text;
  text << in.rdbuf();
  return parse_resolv_conf(text.str());
}

std::optional<nameserver> parse_nameserver(std::string_view text, std::string* error) {
  auto fail = [&](const std::string& why) -> std::optional<nameserver> {
    if (error)
      *error = "invalid DNS server '" + std::string(text) + "': " + why;
    return std::nullopt;
  };
  std::string host;
  std::string_view port_text;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos)
      return fail("missing ']'");
    host = std::string(text.substr(1, close - 1));
    auto rest = text.substr(close + 1);
    if (!rest.empty() && rest.front() != ':')
      return fail("expected ':' after ']'");
    if (!rest.empty())
      port_text = rest.substr(1);
  } else {
    auto colon = text.find(':');
    if (colon != std::string_view::npos && text.find(':', colon + 1) != std::string_view::npos) {
      host = std::string(text); // a bare IPv6 address
    } else {
      host = std::string(text.substr(0, colon));
      if (colon != std::string_view::npos)
        port_text = text.substr(colon + 1);
    }
  }
  if (host.empty())
    return fail("expected host[:port]");
  nameserver server{host, 53};
  if (!port_text.empty() || (!text.empty() && text.back() == ':')) {
    unsigned port = 0;
    auto [end, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || end != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return fail("port must be 1-65535");
    server.port = static_cast<std::uint16_t>(port);
  }
  if (!runtime::is_ip_address(host)) {
    auto resolved = runtime::resolve_with_getaddrinfo(host);
    if (resolved.addresses.empty())
      return fail("cannot resolve host '" + host + "'");
    server.address = resolved.addresses.front();
  }
  return server;
}

} // namespace plugnode::discovery
