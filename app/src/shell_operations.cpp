// The typed commands of shell_operations.hpp: each one request (or one per node) to the node's actors.
#include "plugnode/app/shell_operations.hpp"

#include <unistd.h>

#include <caf/actor_system.hpp>

#include "plugnode/app/cluster_report.hpp"
#include "plugnode/app/registered_names.hpp"
#include "plugnode/discovery/discovery_protocol.hpp"
#include "plugnode/discovery/nslookup.hpp"
#include "plugnode/runtime/ask.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::app {
namespace {

// Waits for a node's actor: the agent may connect first (up to its connect timeout) and DNS may retry.
constexpr std::chrono::milliseconds command_timeout{10000};

} // namespace

std::vector<std::string> nodes_of_kind(const runtime::node_kinds& kinds, const std::string& self,
                                       std::string_view kind) {
  std::vector<std::string> out;
  if (kind == "this" || kind == "known")
    out.push_back(self);
  if (kind != "hidden" && kind != "this")
    out.insert(out.end(), kinds.visible.begin(), kinds.visible.end());
  if (kind == "hidden" || kind == "connected" || kind == "known")
    out.insert(out.end(), kinds.hidden.begin(), kinds.hidden.end());
  return out;
}

shell_operations::shell_operations(caf::actor_system& system, const shell_context& context)
    : self_(system), ctx_(context) {}

std::string shell_operations::error_text(const caf::error& e) {
  return self_->system().render(e) + "\n";
}

// The answer of the actor registered as `name` (one request, through the agent); `what` names it when it is
// not running.
template <class Reply, class... Ts>
outcome<Reply> shell_operations::ask_registered(const char* name, const char* what, Ts&&... xs) {
  auto reply = runtime::ask<Reply>(*self_, ctx_.services.agent, command_timeout,
                                   runtime::to_registered(name, std::forward<Ts>(xs)...));
  if (!reply)
    return outcome<Reply>::failed(
        (runtime::is_unknown_name(reply.error()) ? std::string(what) + " is not running: " : "") +
        error_text(reply.error()));
  return std::move(*reply);
}

std::int64_t shell_operations::os_pid() const {
  return ::getpid();
}

outcome<runtime::node_kinds> shell_operations::nodes() {
  auto kinds = runtime::ask<runtime::node_kinds>(*self_, ctx_.services.agent, command_timeout,
                                                 runtime::nodes_atom_v, runtime::kinds_atom_v);
  if (!kinds)
    return outcome<runtime::node_kinds>::failed(error_text(kinds.error()));
  return std::move(*kinds);
}

outcome<bool> shell_operations::node_op(shell_verb verb, const std::string& node) {
  std::string why;
  if (!runtime::node_name::parse(node, &why))
    return outcome<bool>::failed("'" + node + "' is not a node name (app@host): " + why + "\n");
  auto ask = [&](auto op) {
    return runtime::ask<bool>(*self_, ctx_.services.agent, command_timeout, op, node);
  };
  caf::expected<bool> result{false};
  if (verb == shell_verb::ping)
    result = ask(caf::ping_atom_v);
  else if (verb == shell_verb::connect)
    result = ask(caf::connect_atom_v);
  else
    result = ask(runtime::disconnect_atom_v);
  return result && *result;
}

outcome<std::string> shell_operations::discover() {
  return ask_registered<std::string>(discovery_name, "discovery", discovery::discover_atom_v);
}

outcome<std::string> shell_operations::nslookup(const std::string& name, const std::string& record_type) {
  auto text =
      ask_registered<std::string>(discovery_name, "discovery", discovery::nslookup_atom_v, name, record_type);
  if (text && !discovery::nslookup_answered(*text))
    return outcome<std::string>::failed(*text);
  return text;
}

outcome<check_result> shell_operations::status() {
  return ask_registered<check_result>(checker_name, "the checker", caf::get_atom_v);
}

std::string shell_operations::cluster() {
  const auto& s = ctx_.services;
  return fetch_cluster_report(*self_.ptr(), s.node, s.incarnation, s.agent, command_timeout);
}

std::string shell_operations::metrics() {
  ctx_.services.process->update();
  return ctx_.services.metrics.render();
}

outcome<std::vector<group_size>> shell_operations::groups() {
  const auto* scope = runtime::default_scope.c_str();
  auto names = ask_registered<std::vector<std::string>>(scope, "the group scope", runtime::pg_groups_atom_v);
  if (!names)
    return outcome<std::vector<group_size>>::failed(names.failure());
  std::vector<group_size> out;
  for (const auto& group : *names) {
    auto members =
        ask_registered<std::vector<caf::actor>>(scope, "the group scope", runtime::pg_members_atom_v, group);
    out.push_back({group, members ? std::optional<std::size_t>(members->size()) : std::nullopt});
  }
  return out;
}

outcome<std::vector<runtime::node_members>> shell_operations::members(const std::string& group) {
  return ask_registered<std::vector<runtime::node_members>>(runtime::default_scope.c_str(), "the group scope",
                                                            runtime::pg_where_atom_v, group);
}

std::vector<node_entities> shell_operations::entities() {
  std::vector<std::string> nodes{ctx_.services.node};
  if (auto peers = runtime::ask<std::vector<std::string>>(*self_, ctx_.services.agent, command_timeout,
                                                          runtime::nodes_atom_v))
    nodes.insert(nodes.end(), peers->begin(), peers->end());
  using figures = std::vector<runtime::entity_figures>;
  std::vector<node_entities> out;
  for (const auto& node : nodes) {
    auto region = runtime::ask<caf::actor>(*self_, ctx_.services.agent, command_timeout,
                                           runtime::whereis_atom_v, std::string("entity_region"), node);
    auto reply = region ? runtime::ask<figures>(*self_, *region, command_timeout, runtime::ent_stats_atom_v)
                        : caf::expected<figures>(region.error());
    out.push_back({node, reply ? outcome<figures>(std::move(*reply))
                               : outcome<figures>::failed(error_text(reply.error()))});
  }
  return out;
}

std::optional<shell_reply> shell_operations::extension(std::string_view line) {
  return run_shell_extension(ctx_.extensions, line, ctx_.services, self_);
}

std::string shell_operations::help() const {
  return shell_help() + shell_extensions_help(ctx_.extensions);
}

} // namespace plugnode::app
