// Charging sends to a peer's outbound budget; see dist_send.hpp.
#include "plugnode/runtime/dist_send.hpp"

#include <caf/detail/serialized_size.hpp>
#include <caf/io/basp/header.hpp>

#include "flow/dist_flow.hpp"
#include "flow/peer_directory.hpp"

namespace plugnode::runtime::detail {

hold_ticket charge(const node& n, const caf::actor& dest, const caf::message& msg) {
  auto& directory = n.directory();
  if (!dest || !directory)
    return {};
  auto route = directory->route_to(dest.node());
  if (!route.budget)
    return {};
  // What BASP writes for it: a header and the serialised message (its forwarding stack is empty here).
  auto bytes = caf::io::basp::header_size + caf::detail::serialized_size(dest->home_system(), msg);
  auto charged = route.budget->charge(bytes);
  request_confirmations(route.flow, route.budget, route.agent, charged);
  if (!charged.full)
    return {};
  return {route.flow, caf::make_message(flow_wait_atom_v, route.budget)};
}

} // namespace plugnode::runtime::detail

namespace plugnode::runtime {

caf::actor held(const node& n, const caf::actor& remote) {
  auto& directory = n.directory();
  return directory ? directory->held(remote) : remote;
}

} // namespace plugnode::runtime
