// erlang_rpc: the remote shell's commands for BEAM operators, registered as `plugnode`, so that in iex
// `:rpc.call(:"plugnode@host", :plugnode, :nodes, [])` inspects a plugnode node. `{fun, args}` is the shell
// command `fun` with `args` (atoms, strings, charlists and integers) as its words, run by the shell's typed
// operations (shell_operations.hpp), and the typed result comes back as Erlang terms: `nodes` a list of node
// atoms, `self` an atom, `ping` :pong or :pang, `connect`/`disconnect` a boolean, `pid` an integer, `groups`
// a list of `{name, size}`, `members` a list of `{node, actor_id}`, anything else the text the shell prints
// as a string; a failed or unknown command is `{:error, text}`.
#pragma once

#include <caf/fwd.hpp>

#include "plugnode/app/shell_operations.hpp"

namespace plugnode::app {

// Runs on a thread of its own (commands wait for the network), one call at a time, like the shell service.
caf::actor spawn_erlang_rpc(caf::actor_system& system, shell_context context);

} // namespace plugnode::app
