// node_main: a running node, `plugnode foreground` and `plugnode console`: the actor system, the node
// runtime, discovery, the checker, the application's actors (service.hpp) and the HTTP endpoint, up until
// SIGTERM/SIGINT (or the end of the console's input), then a graceful stop: leave the cluster, finish the
// requests in flight, exit 0.
#pragma once

#include "plugnode/app/config.hpp"
#include "plugnode/app/service.hpp"

namespace plugnode::app {

enum class node_mode { foreground, console };

// Returns the process exit code: 0 after a clean stop, 1 when the node cannot start (port taken ...).
int run_node(const config& cfg, node_mode mode, const service& app);

} // namespace plugnode::app
