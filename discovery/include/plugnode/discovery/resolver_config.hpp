// resolver_config: where and how the DNS client asks. Filled from resolv.conf text (a pod's resolver
// configuration: nameservers, search list, ndots) and overridden by PLUGNODE_DNS_SERVER, so tests and
// operators can point discovery at a given server without touching /etc/resolv.conf.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plugnode::discovery {

struct nameserver {
  std::string address; // an IPv4 or IPv6 address literal
  std::uint16_t port = 53;

  // `1.2.3.4:53` or `[::1]:53`
  std::string to_string() const;
  friend bool operator==(const nameserver& a, const nameserver& b) {
    return a.address == b.address && a.port == b.port;
  }
};

struct resolver_config {
  std::vector<nameserver> nameservers; // tried in order within each attempt
  std::vector<std::string> search;     // domains appended to relative names, in order
  int ndots = 1;                       // names with fewer dots try the search list first
  // Per try of one nameserver. Shorter than glibc's 5 s: a poll should fail fast and keep what it has.
  std::chrono::milliseconds timeout{1000};
  int attempts = 2; // rounds over all nameservers before a query gives up
};

// Parses resolv.conf text: `nameserver`, `search`/`domain` (the last one wins, as in glibc) and
// `options ndots:N timeout:N attempts:N`. Unknown lines are ignored, as resolvers do.
resolver_config parse_resolv_conf(std::string_view text);

// Reads and parses a resolv.conf file (default /etc/resolv.conf); nullopt and `error` when unreadable.
std::optional<resolver_config> load_resolv_conf(const std::string& path = "/etc/resolv.conf",
                                                std::string* error = nullptr);

// Parses PLUGNODE_DNS_SERVER: `host`, `host:port`, `[v6]`, `[v6]:port`. A host name is resolved once, here,
// with the system resolver. nullopt and `error` (naming the value) when invalid.
std::optional<nameserver> parse_nameserver(std::string_view text, std::string* error = nullptr);

} // namespace plugnode::discovery
