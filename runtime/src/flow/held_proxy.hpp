// held_proxy: a handle to a remote actor whose plain sends are held by its node's outbound budget, the
// narrowest way to hold a plain CAF `send` in CAF 0.17 (its proxies have no hook, and BASP creates them
// itself). plugnode hands these out wherever a remote handle enters through it: whereis (and so
// runtime::cast and runtime::call), the registry's answers, group members (and so pub/sub's and the
// entities' peers). It is an actor with the remote actor's id and node, so it compares equal to CAF's own
// proxy, serialises as the remote actor, and forwards every message, monitor and link to that proxy; each
// message is charged to the budget after it was handed on, and past the budget the sending thread waits
// for room (Erlang suspends the sending process), except on the middleman's I/O thread, which must never
// wait (the credit comes through it).
//
// What a blocked send costs: the sender's thread. An event-based actor holds its scheduler thread while it
// waits; one that can wait without that (awaiting the flow actor) uses runtime::send, which sends through
// the proxy underneath.
#pragma once

#include <memory>

#include <caf/actor.hpp>

#include "flow/dist_flow.hpp"

namespace plugnode::runtime::detail {

class peer_directory;

// `remote` held by `budget` (its node's); `directory` finds where marks go.
caf::actor make_held_proxy(const caf::actor& remote, budget_ptr budget,
                           std::weak_ptr<const peer_directory> directory);

// detail::unheld (dist_send.hpp) is defined with it.

} // namespace plugnode::runtime::detail
