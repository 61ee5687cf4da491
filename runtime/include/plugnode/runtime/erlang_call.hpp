// erlang_call: plugnode code reaching a process registered on a BEAM node, the way remote_call.hpp reaches
// plugnode actors: `GenServer.call({name, node}, request, timeout)` and `send({name, node}, message)` with
// terms (term.hpp). The node connects first when it has to; it must run the Erlang listener
// (PLUGNODE_ERLANG_DIST).
#pragma once

#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>

#include "plugnode/runtime/term.hpp"

namespace plugnode::runtime {

// The reply, or an error: unknown_name (no Erlang listener on this node), unknown_node (cannot connect),
// request_timeout.
caf::expected<term> call_erlang(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                                const std::string& node, const term& request,
                                std::chrono::milliseconds timeout);

// One way; an error only when this node has no Erlang listener.
caf::error cast_erlang(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                       const std::string& node, const term& message);

} // namespace plugnode::runtime
