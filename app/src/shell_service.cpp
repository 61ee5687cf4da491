// The shell service of shell_service.hpp: one function per command, each asking the node's actors.
#include "plugnode/app/shell_service.hpp"

#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>

#include <string>
#include <tuple>
#include <vector>

#include "plugnode/app/checker.hpp"
#include "plugnode/app/cluster_report.hpp"
#include "plugnode/app/registered_names.hpp"
#include "plugnode/discovery/discovery_protocol.hpp"
#include "plugnode/discovery/nslookup.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/erlang_protocol.hpp"
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
    case shell_verb::unknown: return {false, "unknown command: " + cmd.argument + "\n" + shell_help()};
    case shell_verb::help: return {true, shell_help()};
    case shell_verb::quit: return {true, ""};
    case shell_verb::self: return {true, node_text(ctx_.services.node, cmd.dialect) + "\n"};
    case shell_verb::pid: return {true, std::to_string(::getpid()) + "\n"};
    case shell_verb::nodes: return nodes(cmd);
    case shell_verb::ping:
    case shell_verb::connect:
    case shell_verb::disconnect: return node_op(cmd);
    case shell_verb::nslookup: return nslookup(cmd);
    case shell_verb::discover: return ask_discovery(discovery::discover_atom::value);
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

  std::string error_text(const caf::error& e) { return self_->system().render(e) + "\n"; }

  template <class Reply, class... Ts> caf::expected<Reply> ask(const caf::actor& dest, Ts&&... xs) {
    caf::expected<Reply> result{caf::sec::request_timeout};
    self_->request(dest, command_timeout, std::forward<Ts>(xs)...)
        .receive([&](Reply& reply) { result = std::move(reply); },
                 [&](caf::error& e) { result = std::move(e); });
    return result;
  }

  caf::expected<caf::actor> registered(const char* name) {
    return ask<caf::actor>(ctx_.services.agent, runtime::whereis_atom_v, std::string(name));
  }

  answer nodes(const shell_command& cmd) {
    auto list = ask<std::vector<std::string>>(ctx_.services.agent, runtime::nodes_atom_v);
    if (!list)
      return {false, error_text(list.error())};
    auto beam = erlang_nodes();
    std::string text;
    if (cmd.dialect == shell_dialect::elixir) {
      for (const auto& node : *list)
        text += (text.empty() ? "" : ", ") + node_text(node, cmd.dialect);
      for (const auto& node : beam)
        text += (text.empty() ? "" : ", ") + node_text(node, cmd.dialect);
      return {true, "[" + text + "]\n"};
    }
    for (const auto& node : *list)
      text += node + "\n";
    for (const auto& node : beam)
      text += node + " [erlang]\n";
    return {true, text};
  }

  // BEAM nodes connected over Erlang's protocol (none when the Erlang listener is off).
  std::vector<std::string> erlang_nodes() {
    auto erlang = registered(runtime::erlang_registered_name);
    if (!erlang)
      return {};
    auto list = ask<std::vector<std::string>>(*erlang, runtime::nodes_atom_v);
    return list ? *list : std::vector<std::string>{};
  }

  answer node_op(const shell_command& cmd) {
    std::string why;
    if (!runtime::node_name::parse(cmd.argument, &why))
      return {false, "'" + cmd.argument + "' is not a node name (app@host): " + why + "\n"};
    caf::expected<bool> result{false};
    if (cmd.verb == shell_verb::ping)
      result = ask<bool>(ctx_.services.agent, caf::ping_atom::value, cmd.argument);
    else if (cmd.verb == shell_verb::connect)
      result = ask<bool>(ctx_.services.agent, caf::connect_atom::value, cmd.argument);
    else
      result = ask<bool>(ctx_.services.agent, runtime::disconnect_atom_v, cmd.argument);
    // Not a plugnode node: perhaps a BEAM node, over Erlang's protocol.
    if (!(result && *result))
      if (auto erlang = registered(runtime::erlang_registered_name)) {
        if (cmd.verb == shell_verb::ping)
          result = ask<bool>(*erlang, caf::ping_atom::value, cmd.argument);
        else if (cmd.verb == shell_verb::connect)
          result = ask<bool>(*erlang, caf::connect_atom::value, cmd.argument);
        else
          result = ask<bool>(*erlang, runtime::disconnect_atom_v, cmd.argument);
      }
    // A node that cannot be reached is an answer (pang, false), as in Erlang, not a failed command.
    return {true, ping_answer(cmd, result && *result) + "\n"};
  }

  template <class... Ts> answer ask_discovery(Ts&&... xs) {
    auto discovery = registered(discovery_name);
    if (!discovery)
      return {false, "discovery is not running: " + error_text(discovery.error())};
    auto text = ask<std::string>(*discovery, std::forward<Ts>(xs)...);
    if (!text)
      return {false, error_text(text.error())};
    return {true, *text + (text->empty() || text->back() == '\n' ? "" : "\n")};
  }

  // A failed lookup (NXDOMAIN, timeout) is a failed command, so `rpc "nslookup ..."` exits non-zero.
  answer nslookup(const shell_command& cmd) {
    auto [ok, text] = ask_discovery(discovery::nslookup_atom::value, cmd.argument, cmd.record_type);
    return {ok && discovery::nslookup_answered(text), text};
  }

  answer status() {
    auto checker = registered(checker_name);
    if (!checker)
      return {false, "the checker is not running: " + error_text(checker.error())};
    auto result = ask<check_result>(*checker, caf::get_atom::value);
    if (!result)
      return {false, error_text(result.error())};
    return {true, describe(*result, std::chrono::system_clock::now()) + "\n"};
  }

  answer cluster() {
    auto discovery = registered(discovery_name);
    const auto& s = ctx_.services;
    return {true, fetch_cluster_report(*self_.ptr(), s.node, s.incarnation, s.agent,
                                       discovery ? *discovery : caf::actor(), command_timeout) +
                      "\n"};
  }

  caf::scoped_actor self_;
  const shell_context& ctx_;
};

caf::behavior shell_service(caf::event_based_actor* self, const shell_context& context) {
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
