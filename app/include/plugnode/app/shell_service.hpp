// shell_service: the node side of the remote shell. An actor, registered as "shell" with the node agent,
// that runs one shell line (shell_command.hpp) with the typed commands of shell_operations.hpp and answers
// with the text to print. Remote shells and the one-shot commands reach it through the agent as
// `{shell, node}`; `console` talks to it locally.
//
//   request                          reply
//   (shell_atom, std::string line)   (bool ok, std::string answer)   ok false: the command failed or is
//   unknown
#pragma once

#include <chrono>
#include <string>
#include <tuple>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "plugnode/app/shell_command.hpp"
#include "plugnode/app/shell_operations.hpp"

namespace plugnode::app {

using shell_atom = caf::atom_constant<caf::atom("shell")>;
constexpr shell_atom shell_atom_v{};

// How long a remote shell waits for one answer: longer than any command takes on the node (a ping that
// connects first, a DNS lookup that retries).
inline constexpr std::chrono::milliseconds shell_answer_timeout{15000};

// The text a shell prints for `command`, and whether it succeeded (false: failed or unknown).
std::tuple<bool, std::string> shell_text(shell_operations& ops, const shell_command& command);

// The shell service runs on a thread of its own (commands wait for the network), one line at a time.
caf::actor spawn_shell_service(caf::actor_system& system, shell_context context);

} // namespace plugnode::app
