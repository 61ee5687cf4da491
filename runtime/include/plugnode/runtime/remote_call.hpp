// remote_call: reaching a registered actor as `{name, node}` from any connected node, Erlang's
// `GenServer.call({name, node}, msg, timeout)` and `send({name, node}, msg)`, and `net_adm:ping`. Every step
// has a timeout and an unknown node or name comes back as an error value (runtime_errc), never as a hang.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <utility>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/ask.hpp"
#include "plugnode/runtime/node.hpp"

namespace plugnode::runtime {

// The actor registered as `name` on `node` (this node's own name works too), asked through the local agent.
caf::expected<caf::actor> whereis(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                                  const std::string& node, std::chrono::milliseconds timeout);

// Sends `xs...` one way to `{name, node}`; an error when the name cannot be found within `timeout`.
template <class... Ts>
caf::error cast(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                const std::string& node, std::chrono::milliseconds timeout, Ts&&... xs) {
  auto target = whereis(self, agent, name, node, timeout);
  if (!target)
    return std::move(target.error());
  self->send(*target, std::forward<Ts>(xs)...);
  return caf::none;
}

// Requests `xs...` from `{name, node}` and waits for a `Reply` (lookup and call each within `timeout`).
template <class Reply, class... Ts>
caf::expected<Reply> call(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                          const std::string& node, std::chrono::milliseconds timeout, Ts&&... xs) {
  auto target = whereis(self, agent, name, node, timeout);
  if (!target)
    return std::move(target.error());
  return ask<Reply>(*self.ptr(), *target, timeout, std::forward<Ts>(xs)...);
}

// Erlang's `net_adm:ping`: calls `done(true)` (pong) when `target` answers within `timeout`, else
// `done(false)` (pang), never an error. A connected node's agent is asked directly, one network round trip as
// `net_adm:ping` calls the peer's `net_kernel`; any other name (not connected, not canonical) goes through
// the local agent, which connects first.
template <class Self, class Done>
void ping(Self* self, const node& n, const std::string& target, std::chrono::milliseconds timeout,
          Done done) {
  if (auto peer = n.connected_agent(target))
    self->request(peer, timeout, dist_beat_atom_v, std::uint64_t{0})
        .then([done](std::uint64_t) mutable { done(true); }, [done](caf::error&) mutable { done(false); });
  else
    self->request(n.agent(), timeout, caf::ping_atom_v, target)
        .then([done](bool pong) mutable { done(pong); }, [done](caf::error&) mutable { done(false); });
}

// The same for a blocking caller.
bool ping(caf::scoped_actor& self, const node& n, const std::string& target,
          std::chrono::milliseconds timeout);

} // namespace plugnode::runtime
