// erlang_call: plugnode code reaching a process registered on a BEAM node, the way remote_call.hpp reaches
// plugnode actors: `GenServer.call({name, node}, request, timeout)` and `send({name, node}, message)` with
// terms (term.hpp). The node connects first when it has to; it must run the Erlang listener
// (PLUGNODE_ERLANG_DIST). Each call with the agent looks the Erlang side up first (a round trip to the
// agent); a sender of many messages looks it up once (erlang_side_of) and passes that instead.
#pragma once

#include <chrono>
#include <string>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/scoped_actor.hpp>

#include "plugnode/erlang/term.hpp"

namespace plugnode::erlang {

// The node's Erlang side (the actor registered as erlang_registered_name), valid while the node runs.
struct erlang_side {
  caf::actor front;
};

// The Erlang side of the node whose agent is `agent`; the error unknown_name when it has no Erlang listener.
caf::expected<erlang_side> erlang_side_of(caf::scoped_actor& self, const caf::actor& agent);

// The reply, or an error: unknown_name (no Erlang listener on this node), unknown_node (cannot connect),
// request_timeout.
caf::expected<term> call_erlang(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                                const std::string& node, const term& request,
                                std::chrono::milliseconds timeout);
caf::expected<term> call_erlang(caf::scoped_actor& self, const erlang_side& erlang, const std::string& name,
                                const std::string& node, const term& request,
                                std::chrono::milliseconds timeout);

// One way; an error only when this node has no Erlang listener.
caf::error cast_erlang(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                       const std::string& node, const term& message);
void cast_erlang(caf::scoped_actor& self, const erlang_side& erlang, const std::string& name,
                 const std::string& node, const term& message);

} // namespace plugnode::erlang
