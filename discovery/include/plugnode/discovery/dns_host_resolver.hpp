// dns_host_resolver: discovery's DNS client in the shape the node agent dials with (runtime::host_resolver),
// so peers' host names resolve through the same server and search list as discovery's own lookups
// (PLUGNODE_DNS_SERVER, a test's dnsmasq) instead of libc's resolver and cache.
#pragma once

#include "plugnode/discovery/resolver_config.hpp"
#include "plugnode/runtime/host_resolver.hpp"

namespace plugnode::discovery {

// Resolves a host to its A then AAAA addresses (an IP literal as is); the error text names the failure
// (NXDOMAIN, timeout, ...). Blocks up to the resolver's timeouts: the agent calls it off the scheduler.
runtime::host_resolver dns_host_resolver(resolver_config config);

} // namespace plugnode::discovery
