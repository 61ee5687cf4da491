// The DNS client as the node agent's host_resolver; see dns_host_resolver.hpp.
#include "plugnode/discovery/dns_host_resolver.hpp"

#include <memory>

#include "plugnode/discovery/dns_client.hpp"

namespace plugnode::discovery {

runtime::host_resolver dns_host_resolver(resolver_config config) {
  auto client = std::make_shared<const dns_client>(std::move(config));
  return [client](const std::string& host) {
    auto found = client->resolve_host(host);
    if (!found)
      return runtime::resolve_result{{}, found.error().message()};
    return runtime::resolve_result{found.value(), {}};
  };
}

} // namespace plugnode::discovery
