// test_nodes: node options for the runtime's unit tests that start real nodes on loopback addresses.
#pragma once

#include <cstdint>
#include <string>

#include "plugnode/runtime/node.hpp"

namespace plugnode::runtime::testing {

// `app@<address>` listening on `port` with the unit tests' cookie.
inline node_options listening_on(const std::string& address, std::uint16_t port) {
  node_options options;
  options.name = *node_name::parse("app@" + address);
  options.port = port;
  options.cookie = "unit-cookie";
  return options;
}

} // namespace plugnode::runtime::testing
