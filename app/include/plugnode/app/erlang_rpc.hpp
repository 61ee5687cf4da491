// erlang_rpc: the remote shell's commands for BEAM operators, registered as `plugnode`, so that in iex
// `:rpc.call(:"plugnode@host", :plugnode, :nodes, [])` inspects a plugnode node. `{fun, args}` becomes the
// shell line `fun arg...` (atoms, strings and charlists as their text), run by the shell service, and its
// answer comes back as Erlang terms: `nodes` a list of node atoms, `self` an atom, `ping` :pong or :pang,
// `connect`/`disconnect` a boolean, `pid` an integer, anything else the text as a string; a failed or
// unknown command is `{:error, text}`.
#pragma once

#include <caf/fwd.hpp>

namespace plugnode::app {

// `agent` finds the shell service (registered as `shell`) on every call, so a restarted one is found again.
caf::actor spawn_erlang_rpc(caf::actor_system& system, caf::actor agent);

} // namespace plugnode::app
