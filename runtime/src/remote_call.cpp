// Name lookups through the node agent; see remote_call.hpp.
#include "plugnode/runtime/remote_call.hpp"

namespace plugnode::runtime {

caf::expected<caf::actor> whereis(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                                  const std::string& node, std::chrono::milliseconds timeout) {
  caf::expected<caf::actor> result{caf::sec::request_timeout};
  self->request(agent, timeout, whereis_atom_v, name, node)
      .receive([&](caf::actor& who) { result = std::move(who); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

} // namespace plugnode::runtime
