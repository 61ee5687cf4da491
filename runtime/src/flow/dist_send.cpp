// Charging sends to a peer's outbound budget; see dist_send.hpp.
#include "plugnode/runtime/dist_send.hpp"

#include <caf/detail/serialized_size.hpp>
#include <caf/io/basp/header.hpp>
#include <caf/send.hpp>

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
  if (charged.mark)
    caf::anon_send(route.flow, flow_mark_atom_v, route.budget, route.agent, charged.mark);
  if (charged.probe)
    caf::anon_send(route.flow, flow_probe_atom_v, route.budget, dest.node(), charged.probe);
  if (!charged.full)
    return {};
  return {route.flow, caf::make_message(flow_wait_atom_v, route.budget)};
}

} // namespace plugnode::runtime::detail
