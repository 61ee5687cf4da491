// discovery_actor: the long-lived actor that turns the strategy's answers into node connections. It polls
// (fast until the first good answer, then every interval with jitter), asks the node agent to connect new
// nodes, disconnects a node only after it has been missing from several good answers, never on a failed
// lookup, and answers discovery_protocol.hpp. Its DNS work runs on a detached worker actor (a thread of its
// own), never on CAF's scheduler threads.
#pragma once

#include <chrono>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <prometheus/registry.h>

#include "plugnode/discovery/discovery_state.hpp"
#include "plugnode/discovery/resolver_config.hpp"
#include "plugnode/discovery/strategy.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::discovery {

struct discovery_config {
  runtime::node_name self;
  strategy_config strategy;
  resolver_config resolver;
  poll_settings poll;
  std::chrono::milliseconds agent_timeout{5000}; // per connect/disconnect request to the node agent
};

// Spawns the discovery actor, which starts polling at once. `agent` answers agent_protocol.hpp; its
// nodeup/nodedown reports keep the connected gauge and reconnects right. `registry` must outlive the actor.
caf::actor spawn_discovery(caf::actor_system& system, discovery_config config, caf::actor agent,
                           prometheus::Registry& registry);

} // namespace plugnode::discovery
