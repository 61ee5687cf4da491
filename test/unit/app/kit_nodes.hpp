// kit_nodes: what the app unit tests that form a cluster of two kit nodes (testing.hpp) share: a node's
// options on a loopback address, and an actor that only exists (a group member, a watched actor).
#pragma once

#include <string>

#include <caf/event_based_actor.hpp>

#include "plugnode/app/testing.hpp"
#include "plugnode/test/ports.hpp"

namespace plugnode::app::testing {

// `kit@<address>` with the tests' cookie, listening on a free port of `address`.
inline test_node_options kit_node_on(const std::string& address) {
  test_node_options options;
  options.name = "kit@" + address;
  options.cookie = "kit-cookie";
  options.dist_port = test::free_port(address);
  return options;
}

} // namespace plugnode::app::testing
