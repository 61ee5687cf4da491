// ask: a plug's synchronous request to another actor, with a timeout (GenServer.call(pid, msg, timeout)):
// runtime::ask (runtime/ask.hpp), from the request's own actor and cut at the request's deadline.
// The request's own actor asks, so a late answer can never reach another request; the wait is also cut
// short by the pipeline's deadline, so a slow actor cannot hold the request past it.
#pragma once

#include <algorithm>
#include <chrono>
#include <stdexcept>
#include <utility>

#include <caf/actor.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/sec.hpp>

#include "plugnode/plugs/conn.hpp"
#include "plugnode/runtime/ask.hpp"

namespace plugnode::plugs {

// The answer of `dest` to the message `xs...`, or an error: `request_timeout` after `timeout` (or at the
// request's deadline, whichever is first), or whatever `dest` failed with.
template <class T, class... Ts>
caf::expected<T> ask(conn& c, const caf::actor& dest, std::chrono::milliseconds timeout, Ts&&... xs) {
  auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(c.deadline - std::chrono::steady_clock::now());
  if (c.deadline != std::chrono::steady_clock::time_point::max())
    timeout = std::max(std::chrono::milliseconds(0), std::min(timeout, left));
  auto run = [&](caf::blocking_actor* self) {
    return runtime::ask<T>(*self, dest, timeout, std::forward<Ts>(xs)...);
  };
  if (c.self != nullptr)
    return run(c.self);
  if (c.system == nullptr)
    throw std::logic_error("ask: the conn has neither an actor nor an actor system");
  caf::scoped_actor self{*c.system};
  return run(self.ptr());
}

} // namespace plugnode::plugs
