// The helpers of service.hpp that are not templates.
#include "plugnode/app/service.hpp"

#include <algorithm>

namespace plugnode::app {

const char* plugnode_version() {
  return PLUGNODE_VERSION;
}

std::string service_version(const service& svc) {
  if (svc.version.empty())
    return PLUGNODE_VERSION;
  return svc.version + " (plugnode " + PLUGNODE_VERSION + ")";
}

caf::expected<std::vector<std::string>> members(plugs::conn& c, const node_services& node,
                                                std::chrono::milliseconds timeout) {
  auto peers = plugs::ask<std::vector<std::string>>(c, node.agent, timeout, runtime::nodes_atom_v);
  if (!peers)
    return peers;
  peers->push_back(node.node);
  std::sort(peers->begin(), peers->end());
  return peers;
}

} // namespace plugnode::app
