// node_wiring: how a node's parts are put together from its configuration: the runtime node's options, and
// on a started node the metrics registry, the process metrics and the supervised long-lived actors
// (discovery, checker, shell service, then the application's: service.hpp), each registered with the agent
// under its name.
#pragma once

#include <functional>
#include <memory>

#include <caf/actor.hpp>

#include "plugnode/app/config.hpp"
#include "plugnode/app/node_routes.hpp"
#include "plugnode/app/service.hpp"
#include "plugnode/runtime/node.hpp"

namespace prometheus {
class Registry;
}

namespace plugnode::app {

runtime::node_options node_options_of(const config& cfg);
// The same with the service's declared message types added to the actor system (message_types.hpp), and
// its actors marked `beam` exported to BEAM nodes besides the node's `plugnode` rpc module.
runtime::node_options node_options_of(const config& cfg, const service& app);

// How peers' host names resolve, for a node and for the client commands alike: through PLUGNODE_DNS_SERVER
// when it is set (so its SRV answers' names resolve there too), else libc's resolver, which also honours
// /etc/hosts.
runtime::host_resolver peer_host_resolver(const config& cfg);

struct node_wiring {
  node_services services;
  caf::actor supervisor; // send it an exit to stop every child
};

// Starts the supervised actors on `node` (already started), their metrics in `registry`. The registry must
// outlive the node's actor system (declare it before the node): actors that are shutting down may still
// update their metrics. `stop` is what the shell's `stop` runs; `app` adds its actors and shell commands.
node_wiring wire_node(runtime::node& node, const config& cfg,
                      const std::shared_ptr<prometheus::Registry>& registry, std::function<void()> stop,
                      const service& app);

} // namespace plugnode::app
