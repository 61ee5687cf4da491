// host_resolver: how the node agent turns the host part of a node name into addresses to dial. The default
// asks getaddrinfo; the app injects discovery's DNS client instead, so a test DNS server (or the cluster's
// DNS, without the libc cache) also answers for peers' names. The runtime never depends on discovery.
#pragma once

#include <functional>
#include <string>
#include <vector>

namespace plugnode::runtime {

struct resolve_result {
  std::vector<std::string> addresses; // numeric IPv4/IPv6 addresses, preferred first
  std::string error;                  // set when the lookup failed (then addresses is empty)
};

// Called off the scheduler threads, at most once per connection attempt; it may block up to its own timeout.
using host_resolver = std::function<resolve_result(const std::string& host)>;

// getaddrinfo (TCP, IPv4 before IPv6).
resolve_result resolve_with_getaddrinfo(const std::string& host);

// True when `host` is already a numeric IPv4 or IPv6 address (no lookup needed).
bool is_ip_address(const std::string& host);

} // namespace plugnode::runtime
