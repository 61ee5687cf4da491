// server: a node's pub/sub server (the protocol is in plugnode/runtime/pubsub.hpp). It writes the node's
// topic table: local subscriptions (monitoring each subscriber) and, from the pub/sub scope's group events,
// which other nodes' servers have subscribers; it fans out what other nodes forward.
#pragma once

#include <memory>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace plugnode::runtime::detail {

class topic_table;

caf::actor spawn_pubsub_server(caf::actor_system& system, std::shared_ptr<topic_table> table,
                               caf::actor scope);

} // namespace plugnode::runtime::detail
