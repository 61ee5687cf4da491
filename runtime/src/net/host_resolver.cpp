// The default host resolver (getaddrinfo); see host_resolver.hpp.
#include "plugnode/runtime/host_resolver.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>

#include "plugnode/runtime/net/sockets.hpp"

namespace plugnode::runtime {

bool is_ip_address(const std::string& host) {
  unsigned char buffer[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), buffer) == 1 || ::inet_pton(AF_INET6, host.c_str(), buffer) == 1;
}

resolve_result resolve_with_getaddrinfo(const std::string& host) {
  resolve_result result;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* list = nullptr;
  if (int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &list); rc != 0) {
    result.error = std::string("cannot resolve ") + host + ": " + ::gai_strerror(rc);
    return result;
  }
  std::vector<std::string> v4;
  std::vector<std::string> v6;
  for (auto* info = list; info; info = info->ai_next) {
    if (auto found = net::endpoint_of(info->ai_addr))
      (info->ai_family == AF_INET ? v4 : v6).push_back(std::move(found->address));
  }
  ::freeaddrinfo(list);
  for (auto* part : {&v4, &v6})
    for (auto& address : *part)
      if (std::find(result.addresses.begin(), result.addresses.end(), address) == result.addresses.end())
        result.addresses.push_back(address);
  if (result.addresses.empty())
    result.error = "no address for " + host;
  return result;
}

} // namespace plugnode::runtime
