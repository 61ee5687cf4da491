// The shell service of shell_service.hpp: each command's typed result (shell_operations.hpp) as the text a
// shell prints, in the command's dialect.
#include "plugnode/app/shell_service.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include <algorithm>

#include "plugnode/runtime/error_text.hpp"

namespace plugnode::app {
namespace {

using answer = std::tuple<bool, std::string>;

std::string ended(std::string text) {
  return text.empty() || text.back() == '\n' ? text : text + "\n";
}

template <class T, class Print> answer printed(const outcome<T>& result, Print print) {
  if (!result)
    return {false, ended(result.failure())};
  return {true, print(*result)};
}

std::string node_text(const std::string& node, shell_dialect dialect) {
  return dialect == shell_dialect::elixir ? ":\"" + node + "\"" : node;
}

// Elixir's list of atoms, or one node a line with a BEAM node marked "name [erlang]".
std::string nodes_text(const runtime::node_kinds& kinds, const std::string& self, const shell_command& cmd) {
  std::string text;
  auto listed = nodes_of_kind(kinds, self, cmd.argument);
  if (cmd.dialect == shell_dialect::elixir) {
    for (const auto& node : listed)
      text += (text.empty() ? "" : ", ") + node_text(node, cmd.dialect);
    return "[" + text + "]\n";
  }
  for (const auto& node : listed) {
    bool beam = std::find(kinds.beam.begin(), kinds.beam.end(), node) != kinds.beam.end();
    text += node + (beam ? " [erlang]\n" : "\n");
  }
  return text;
}

// One line per group: its name and its size over every node.
std::string groups_text(const std::vector<group_size>& groups) {
  std::string text;
  for (const auto& g : groups)
    text += g.group + " " + (g.members ? std::to_string(*g.members) : std::string("?")) + "\n";
  return text;
}

// One line per member: its node's name and its actor id there (this node's own first), as an operator reads
// the node in the pids :pg.get_members returns.
std::string members_text(const std::vector<runtime::node_members>& nodes) {
  std::string text;
  for (const auto& [node, members] : nodes)
    for (const auto& member : members)
      text += node + " " + std::to_string(member.id()) + "\n";
  return text;
}

// One line per entity type and node: its figures there, or why the node gave none.
std::string entities_text(const std::vector<node_entities>& nodes) {
  std::string text;
  for (const auto& [node, figures] : nodes) {
    if (!figures) {
      text += "? " + node + ": " + ended(figures.failure());
      continue;
    }
    for (const auto& f : *figures)
      text += f.type + " active=" + std::to_string(f.active) + " hosts=" + std::to_string(f.hosts) +
              " activations=" + std::to_string(f.activations) +
              " passivations=" + std::to_string(f.passivations) + " handoffs=" + std::to_string(f.handoffs) +
              " buffered=" + std::to_string(f.buffered) + " node=" + node + "\n";
  }
  return text;
}

answer extension_or_unknown(shell_operations& ops, const shell_command& cmd) {
  if (auto reply = ops.extension(cmd.argument))
    return {reply->ok, reply->text};
  return {false, "unknown command: " + cmd.argument + "\n" + ops.help()};
}

caf::behavior shell_service(caf::event_based_actor* self, const shell_context& context) {
  // A service's shell command that throws: its text to the caller, one log line, a restart.
  self->set_exception_handler(runtime::exception_reason);
  return {
      [self, context](shell_atom, const std::string& line) -> answer {
        shell_operations ops(self->system(), context);
        return shell_text(ops, parse_shell_line(line));
      },
  };
}

} // namespace

answer shell_text(shell_operations& ops, const shell_command& cmd) {
  auto as_is = [](const std::string& text) { return ended(text); };
  switch (cmd.verb) {
  case shell_verb::empty: return {true, ""};
  case shell_verb::unknown: return extension_or_unknown(ops, cmd);
  case shell_verb::too_long: return {false, cmd.argument};
  case shell_verb::help: return {true, ops.help()};
  case shell_verb::quit: return {true, ""};
  case shell_verb::self: return {true, node_text(ops.self_name(), cmd.dialect) + "\n"};
  case shell_verb::pid: return {true, std::to_string(ops.os_pid()) + "\n"};
  case shell_verb::groups: return printed(ops.groups(), groups_text);
  case shell_verb::members: return printed(ops.members(cmd.argument), members_text);
  case shell_verb::entities: return {true, entities_text(ops.entities())};
  case shell_verb::nodes:
    return printed(ops.nodes(), [&](const auto& kinds) { return nodes_text(kinds, ops.self_name(), cmd); });
  case shell_verb::ping:
  case shell_verb::connect:
  case shell_verb::disconnect:
    return printed(ops.node_op(cmd.verb, cmd.argument),
                   [&](bool yes) { return ping_answer(cmd, yes) + "\n"; });
  case shell_verb::nslookup: return printed(ops.nslookup(cmd.argument, cmd.record_type), as_is);
  case shell_verb::discover: return printed(ops.discover(), as_is);
  case shell_verb::status:
    return printed(ops.status(), [](const check_result& r) {
      return describe(r, std::chrono::system_clock::now()) + "\n";
    });
  case shell_verb::cluster: return {true, ops.cluster() + "\n"};
  case shell_verb::metrics: return {true, ops.metrics()};
  case shell_verb::stop: ops.stop(); return {true, "stopping " + ops.self_name() + "\n"};
  }
  return {false, "unhandled command\n"};
}

caf::actor spawn_shell_service(caf::actor_system& system, shell_context context) {
  return system.spawn<caf::detached>(shell_service, std::move(context));
}

} // namespace plugnode::app
