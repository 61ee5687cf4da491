// ask: the one way any layer asks an actor and waits for its typed answer (Erlang's GenServer.call), and the
// one way to ask an actor by its registered name: through the node agent, which hands the message on to that
// actor, so the answer comes back in one request instead of a lookup followed by a second request. Every
// wait has a timeout; every failure comes back as an error value, never as a hang.
//
//   auto up = ask<bool>(self, agent, 1s, caf::connect_atom_v, "app@10.0.0.7");
//   auto result = ask<check_result>(self, agent, 50ms, to_registered("checker", caf::get_atom_v));
#pragma once

#include <chrono>
#include <string>
#include <utility>

#include <caf/actor.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/expected.hpp>
#include <caf/make_message.hpp>
#include <caf/sec.hpp>

#include "plugnode/runtime/agent_protocol.hpp"

namespace plugnode::runtime {

// The answer of `dest` to `xs...` as a `Reply`, or the error: `request_timeout` after `timeout`, or
// whatever `dest` failed with.
template <class Reply, class... Ts>
caf::expected<Reply> ask(caf::blocking_actor& self, const caf::actor& dest, std::chrono::milliseconds timeout,
                         Ts&&... xs) {
  caf::expected<Reply> result{caf::sec::request_timeout};
  auto handle = self.request(dest, timeout, std::forward<Ts>(xs)...);
  handle.receive([&](Reply& reply) { result = std::move(reply); },
                 [&](caf::error& e) { result = std::move(e); });
  // CAF 0.17 keeps a blocking actor's request timeout after the answer came: it would arrive later as a
  // stale message that stays in the mailbox for good, and every later receive scans them all (a caller
  // asking in a loop slows down quadratically and grows without bound).
  self.clock().cancel_request_timeout(&self, handle.id());
  return result;
}

// The message that, asked of a node's agent, reaches the actor registered there as `name` with `xs...`; the
// answer is that actor's (or the error unknown_name).
template <class... Ts> caf::message to_registered(std::string name, Ts&&... xs) {
  return caf::make_message(call_atom_v, std::move(name), caf::make_message(std::forward<Ts>(xs)...));
}

// True when `e` says no actor is registered under the name asked for.
inline bool is_unknown_name(const caf::error& e) {
  return e.category() == runtime_error_category() &&
         e.code() == static_cast<std::uint8_t>(runtime_errc::unknown_name);
}

} // namespace plugnode::runtime
