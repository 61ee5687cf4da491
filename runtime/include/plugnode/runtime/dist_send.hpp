// dist_send: sending to an actor that may live on another node, within that node's outbound budget, so a
// fast sender cannot queue without bound in front of a slower link or peer (Erlang suspends a process
// whose distribution buffer is busy; PLUGNODE_DIST_BUFFER sets the bound, 1 MB by default). Messages to
// a local actor or a node that is not a connected peer are plain sends.
//
//   // event-based: past the budget the actor processes no further message until there is room
//   for (; i < n; ++i)
//     if (!runtime::send(self, node, sink, i)) { ++i; self->send(self, continue_atom_v); return; }
//   // blocking (scoped_actor, detached): the call itself waits for room
//   runtime::send(self.ptr(), node, sink, i);
//
// Handles plugnode hands out (whereis, runtime::cast and call, group members, pub/sub, entities) are held
// too, on a plain `send`, by blocking the sending thread (held(), flow/held_proxy.hpp); a handle from
// anywhere else (inside a message, current_sender(), CAF's remote_actor) is not, unless passed through
// held(). An event-based actor that sends in bulk uses runtime::send, which waits without blocking its
// thread.
#pragma once

#include <type_traits>
#include <utility>

#include <caf/actor.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/error.hpp>
#include <caf/message.hpp>

#include "plugnode/runtime/node.hpp"

namespace plugnode::runtime {
namespace detail {

// What the send must do after charging the budget: nothing (no flow actor), or ask the flow actor for
// room with `request` and wait for its answer.
struct hold_ticket {
  caf::actor flow;
  caf::message request;
};

// Charges `msg`, just handed to CAF for `dest`, to the budget of dest's node; asks the peer for a
// confirmation when one is due.
hold_ticket charge(const node& n, const caf::actor& dest, const caf::message& msg);

// The handle underneath a held one (held()); `x` itself for any other.
caf::actor unheld(const caf::actor& x);

} // namespace detail

// `remote` as a handle whose plain sends are held by its node's outbound budget, blocking the sending
// thread past it (never the middleman's I/O thread); a handle of this node or of a node that is not a
// connected peer comes back unchanged. Equal to `remote`, serialised as it.
caf::actor held(const node& n, const caf::actor& remote);

// Charges `msg`, which `self` has just handed to CAF for `dest` (sent, or delegated as a request), to the
// budget of dest's node, and holds `self` as send below does. Not before the message: the charge may ask
// for a confirmation, which must follow it. `dest` is the handle underneath (detail::unheld): a message
// handed to a held handle has been charged by that handle already.
template <class Self>
bool charge_sent(Self* self, const node& n, const caf::actor& dest, const caf::message& msg) {
  auto hold = detail::charge(n, dest, msg);
  if (!hold.flow)
    return true;
  auto handle = self->request(hold.flow, caf::infinite, std::move(hold.request));
  if constexpr (std::is_base_of<caf::blocking_actor, Self>::value) {
    handle.receive([](bool) {}, [](caf::error&) {});
    return true;
  } else {
    handle.await([](bool) {}, [](caf::error&) {});
    return false;
  }
}

// Sends `xs...` to `dest`. true: the sender may go on. false (event-based senders only): the budget is
// full and the actor is held: it handles no further message until there is room (its current handler
// should return). A blocking sender waits inside the call and always gets true.
template <class Self, class... Ts> bool send(Self* self, const node& n, const caf::actor& dest, Ts&&... xs) {
  auto msg = caf::make_message(std::forward<Ts>(xs)...);
  auto target = detail::unheld(dest); // charged here, without blocking an event-based sender's thread
  self->send(target, msg);
  return charge_sent(self, n, target, msg);
}

} // namespace plugnode::runtime
