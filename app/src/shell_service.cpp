// The shell service of shell_service.hpp: one function per command, each asking the node's actors.
#include "plugnode/app/shell_service.hpp"

#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include <algorithm>
#include <string>
#include <tuple>
#include <vector>

#include "plugnode/app/checker.hpp"
#include "plugnode/app/cluster_report.hpp"
#include "plugnode/app/registered_names.hpp"
#include "plugnode/discovery/discovery_protocol.hpp"
#include "plugnode/discovery/nslookup.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/ask.hpp"
#include "plugnode/runtime/entities.hpp"
#include "plugnode/runtime/error_text.hpp"
#include "plugnode/runtime/groups.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::app {
namespace {

using answer = std::tuple<bool, std::string>;

// Waits for a node's actor: the agent may connect first (up to its connect timeout) and DNS may retry.
constexpr std::chrono::milliseconds command_timeout{10000};

class evaluator {
public:
  evaluator(caf::actor_system& system, const shell_context& context) : self_(system), ctx_(context) {}

  answer run(const shell_command& cmd) {
    switch (cmd.verb) {
    case shell_verb::empty: return {true, ""};
    case shell_verb::unknown: return extension_or_unknown(cmd);
    case shell_verb::too_long: return {false, cmd.argument};
    case shell_verb::help: return {true, shell_help() + shell_extensions_help(ctx_.extensions)};
    case shell_verb::quit: return {true, ""};
    case shell_verb::self: return {true, node_text(ctx_.services.node, cmd.dialect) + "\n"};
    case shell_verb::pid: return {true, std::to_string(::getpid()) + "\n"};
    case shell_verb::groups: return groups();
    case shell_verb::members: return members(cmd.argument);
    case shell_verb::entities: return entities();
    case shell_verb::nodes: return nodes(cmd);
    case shell_verb::ping:
    case shell_verb::connect:
    case shell_verb::disconnect: return node_op(cmd);
    case shell_verb::nslookup: return nslookup(cmd);
    case shell_verb::discover: return ask_discovery(discovery::discover_atom_v);
    case shell_verb::status: return status();
    case shell_verb::cluster: return cluster();
    case shell_verb::metrics: ctx_.services.process->update(); return {true, ctx_.services.metrics.render()};
    case shell_verb::stop: ctx_.stop(); return {true, "stopping " + ctx_.services.node + "\n"};
    }
    return {false, "unhandled command\n"};
  }

private:
  static std::string node_text(const std::string& node, shell_dialect dialect) {
    return dialect == shell_dialect::elixir ? ":\"" + node + "\"" : node;
  }

  answer extension_or_unknown(const shell_command& cmd) {
    if (auto reply = run_shell_extension(ctx_.extensions, cmd.argument, ctx_.services, self_))
      return {reply->ok, reply->text};
    return {false, "unknown command: " + cmd.argument + "\n" + shell_help() +
                       shell_extensions_help(ctx_.extensions)};
  }

  std::string error_text(const caf::error& e) { return self_->system().render(e) + "\n"; }

  template <class Reply, class... Ts> caf::expected<Reply> ask(const caf::actor& dest, Ts&&... xs) {
    return runtime::ask<Reply>(*self_, dest, command_timeout, std::forward<Ts>(xs)...);
  }

  // The answer of the actor registered as `name` (one request, through the agent); `what` names it when it
  // is not running.
  template <class Reply, class... Ts>
  caf::expected<Reply> ask_registered(const char* name, std::string& failure, const char* what, Ts&&... xs) {
    auto reply = ask<Reply>(ctx_.services.agent, runtime::to_registered(name, std::forward<Ts>(xs)...));
    if (!reply)
      failure = (runtime::is_unknown_name(reply.error()) ? std::string(what) + " is not running: " : "") +
                error_text(reply.error());
    return reply;
  }

  // Node.list/1's kinds: visible (plugnode and BEAM peers), hidden (remote shells and other hidden
  // peers), connected (both), this (the node itself), known (itself and its peers).
  caf::expected<std::vector<std::string>> listed(const std::string& kind) {
    std::vector<std::string> out;
    if (kind == "this" || kind == "known")
      out.push_back(ctx_.services.node);
    if (kind != "hidden" && kind != "this") {
      auto visible = ask<std::vector<std::string>>(ctx_.services.agent, runtime::nodes_atom_v);
      if (!visible)
        return visible.error();
      out.insert(out.end(), visible->begin(), visible->end());
    }
    if (kind == "hidden" || kind == "connected" || kind == "known") {
      auto hidden =
          ask<std::vector<std::string>>(ctx_.services.agent, runtime::nodes_atom_v, runtime::hidden_atom_v);
      if (!hidden)
        return hidden.error();
      out.insert(out.end(), hidden->begin(), hidden->end());
    }
    return out;
  }

  answer nodes(const shell_command& cmd) {
    auto list = listed(cmd.argument);
    if (!list)
      return {false, error_text(list.error())};
    std::string text;
    if (cmd.dialect == shell_dialect::elixir) {
      for (const auto& node : *list)
        text += (text.empty() ? "" : ", ") + node_text(node, cmd.dialect);
      return {true, "[" + text + "]\n"};
    }
    auto beam =
        ask<std::vector<std::string>>(ctx_.services.agent, runtime::nodes_atom_v, runtime::erlang_atom_v);
    auto is_beam = [&beam](const std::string& node) {
      return beam && std::find(beam->begin(), beam->end(), node) != beam->end();
    };
    for (const auto& node : *list)
      text += node + (is_beam(node) ? " [erlang]\n" : "\n");
    return {true, text};
  }

  answer node_op(const shell_command& cmd) {
    std::string why;
    if (!runtime::node_name::parse(cmd.argument, &why))
      return {false, "'" + cmd.argument + "' is not a node name (app@host): " + why + "\n"};
    caf::expected<bool> result{false};
    if (cmd.verb == shell_verb::ping)
      result = ask<bool>(ctx_.services.agent, caf::ping_atom_v, cmd.argument);
    else if (cmd.verb == shell_verb::connect)
      result = ask<bool>(ctx_.services.agent, caf::connect_atom_v, cmd.argument);
    else
      result = ask<bool>(ctx_.services.agent, runtime::disconnect_atom_v, cmd.argument);
    // A node that cannot be reached is an answer (pang, false), as in Erlang, not a failed command.
    return {true, ping_answer(cmd, result && *result) + "\n"};
  }

  template <class... Ts> answer ask_discovery(Ts&&... xs) {
    std::string failure;
    auto text = ask_registered<std::string>(discovery_name, failure, "discovery", std::forward<Ts>(xs)...);
    if (!text)
      return {false, failure};
    return {true, *text + (text->empty() || text->back() == '\n' ? "" : "\n")};
  }

  // A failed lookup (NXDOMAIN, timeout) is a failed command, so `rpc "nslookup ..."` exits non-zero.
  answer nslookup(const shell_command& cmd) {
    auto [ok, text] = ask_discovery(discovery::nslookup_atom_v, cmd.argument, cmd.record_type);
    return {ok && discovery::nslookup_answered(text), text};
  }

  answer status() {
    std::string failure;
    auto result = ask_registered<check_result>(checker_name, failure, "the checker", caf::get_atom_v);
    if (!result)
      return {false, failure};
    return {true, describe(*result, std::chrono::system_clock::now()) + "\n"};
  }

  // One line per group: its name and its size over every node.
  answer groups() {
    std::string failure;
    auto names = ask_registered<std::vector<std::string>>(runtime::default_scope.c_str(), failure,
                                                          "the group scope", runtime::pg_groups_atom_v);
    if (!names)
      return {false, failure};
    std::string text;
    for (const auto& group : *names) {
      auto members = ask_registered<std::vector<caf::actor>>(
          runtime::default_scope.c_str(), failure, "the group scope", runtime::pg_members_atom_v, group);
      text += group + " " + (members ? std::to_string(members->size()) : std::string("?")) + "\n";
    }
    return {true, text};
  }

  // One line per member: CAF's actor id and its node's id (this node's own first).
  answer members(const std::string& group) {
    std::string failure;
    auto list = ask_registered<std::vector<caf::actor>>(runtime::default_scope.c_str(), failure,
                                                        "the group scope", runtime::pg_members_atom_v, group);
    if (!list)
      return {false, failure};
    std::string text;
    for (const auto& member : *list)
      text += caf::to_string(member.address()) + "\n";
    return {true, text};
  }

  // One line per entity type and node (this node first, then each visible peer): its figures there.
  answer entities() {
    std::vector<std::string> nodes{ctx_.services.node};
    if (auto peers = ask<std::vector<std::string>>(ctx_.services.agent, runtime::nodes_atom_v))
      nodes.insert(nodes.end(), peers->begin(), peers->end());
    std::string text;
    for (const auto& node : nodes) {
      auto region =
          ask<caf::actor>(ctx_.services.agent, runtime::whereis_atom_v, std::string("entity_region"), node);
      auto figures = region ? ask<std::vector<runtime::entity_figures>>(*region, runtime::ent_stats_atom_v)
                            : caf::expected<std::vector<runtime::entity_figures>>(region.error());
      if (!figures) {
        text += "? " + node + ": " + error_text(figures.error()); // a BEAM peer, or one that went away
        continue;
      }
      for (const auto& f : *figures)
        text += f.type + " active=" + std::to_string(f.active) + " hosts=" + std::to_string(f.hosts) +
                " activations=" + std::to_string(f.activations) +
                " passivations=" + std::to_string(f.passivations) +
                " handoffs=" + std::to_string(f.handoffs) + " buffered=" + std::to_string(f.buffered) +
                " node=" + node + "\n";
    }
    return {true, text};
  }

  answer cluster() {
    const auto& s = ctx_.services;
    return {true, fetch_cluster_report(*self_.ptr(), s.node, s.incarnation, s.agent, command_timeout) + "\n"};
  }

  caf::scoped_actor self_;
  const shell_context& ctx_;
};

caf::behavior shell_service(caf::event_based_actor* self, const shell_context& context) {
  // A service's shell command that throws: its text to the caller, one log line, a restart.
  self->set_exception_handler(runtime::exception_reason);
  return {
      [self, context](shell_atom, const std::string& line) -> answer {
        return evaluator(self->system(), context).run(parse_shell_line(line));
      },
  };
}

} // namespace

caf::actor spawn_shell_service(caf::actor_system& system, shell_context context) {
  return system.spawn<caf::detached>(shell_service, std::move(context));
}

} // namespace plugnode::app
