// scope: the actor behind one `:pg` scope on this node (the protocol is in plugnode/runtime/groups.hpp). It
// learns of peers from the node agent (the nodes now, then nodeup/nodedown) and finds each peer's scope of
// the same name through the agent's whereis.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace plugnode::runtime::detail {

class peer_directory;

struct scope_settings {
  std::string scope;     // its name, the same on every node
  std::string self_node; // this node's name, in discovers and syncs
  caf::actor agent;
  std::chrono::milliseconds lookup_timeout{3000}; // a peer's whereis
  // Remote members are kept as held handles (held_proxy.hpp), so plain sends to them are held too.
  std::weak_ptr<const peer_directory> directory;
};

caf::actor spawn_scope(caf::actor_system& system, scope_settings settings);

} // namespace plugnode::runtime::detail
