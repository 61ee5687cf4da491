// Name lookups through the node agent; see remote_call.hpp.
#include "plugnode/runtime/remote_call.hpp"

namespace plugnode::runtime {

caf::expected<caf::actor> whereis(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                                  const std::string& node, std::chrono::milliseconds timeout) {
  return ask<caf::actor>(*self.ptr(), agent, timeout, whereis_atom_v, name, node);
}

bool ping(caf::scoped_actor& self, const node& n, const std::string& target,
          std::chrono::milliseconds timeout) {
  // Through ask, whose answered requests leave no timeout behind: a caller may ping in a loop.
  if (auto peer = n.connected_agent(target))
    return static_cast<bool>(
        ask<std::uint64_t>(*self.ptr(), peer, timeout, dist_beat_atom_v, std::uint64_t{0}));
  auto pong = ask<bool>(*self.ptr(), n.agent(), timeout, caf::ping_atom_v, target);
  return pong && *pong;
}

} // namespace plugnode::runtime
