// remote_call: reaching a registered actor as `{name, node}` from any connected node, Erlang's
// `GenServer.call({name, node}, msg, timeout)` and `send({name, node}, msg)`. Every step has a timeout and an
// unknown node or name comes back as an error value (runtime_errc), never as a hang.
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>

#include "plugnode/runtime/agent_protocol.hpp"

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
  caf::expected<Reply> result{caf::sec::request_timeout};
  self->request(*target, timeout, std::forward<Ts>(xs)...)
      .receive([&](Reply& reply) { result = std::move(reply); },
               [&](caf::error& err) { result = std::move(err); });
  return result;
}

} // namespace plugnode::runtime
