// Starting scopes and the blocking calls to one; see plugnode/runtime/groups.hpp.
#include "plugnode/runtime/groups.hpp"

#include <caf/scoped_actor.hpp>

#include "groups/scope.hpp"
#include "plugnode/runtime/ask.hpp"
#include "plugnode/runtime/node.hpp"

namespace plugnode::runtime {

caf::expected<caf::actor> start_scope(node& n, const std::string& scope) {
  detail::scope_settings settings{scope, n.name().to_string(), n.agent(), n.failure_bound(), n.directory()};
  auto actor = detail::spawn_scope(n.system(), std::move(settings));
  caf::scoped_actor self{n.system()};
  auto registered = ask<bool>(*self.ptr(), n.agent(), std::chrono::seconds(2), register_atom_v, scope, actor);
  if (!registered || !*registered) {
    self->send_exit(actor, caf::exit_reason::user_shutdown);
    if (!registered)
      return registered.error();
    return make_runtime_error(runtime_errc::unknown_name, "the name " + scope + " is taken");
  }
  // The agent's own end ends the scope (it is no use without one).
  n.agent()->attach_functor([weak = caf::actor_cast<caf::weak_actor_ptr>(actor)] {
    if (auto alive = caf::actor_cast<caf::actor>(weak))
      caf::anon_send_exit(alive, caf::exit_reason::user_shutdown);
  });
  return actor;
}

groups::groups(node& n, caf::actor scope, std::chrono::milliseconds timeout)
    : node_(n), scope_(std::move(scope)), timeout_(timeout) {}

namespace {

template <class Reply, class... Ts>
Reply ask_scope(node& n, const caf::actor& scope, std::chrono::milliseconds timeout, Ts&&... xs) {
  caf::scoped_actor self{n.system()};
  auto reply = ask<Reply>(*self.ptr(), scope, timeout, std::forward<Ts>(xs)...);
  return reply ? std::move(*reply) : Reply{};
}

} // namespace

bool groups::join(const std::string& group, const caf::actor& who) {
  return ask_scope<bool>(node_, scope_, timeout_, pg_join_atom_v, group, who);
}

bool groups::leave(const std::string& group, const caf::actor& who) {
  return ask_scope<bool>(node_, scope_, timeout_, pg_leave_atom_v, group, who);
}

std::vector<caf::actor> groups::members(const std::string& group) {
  return ask_scope<std::vector<caf::actor>>(node_, scope_, timeout_, pg_members_atom_v, group);
}

std::vector<caf::actor> groups::local_members(const std::string& group) {
  return ask_scope<std::vector<caf::actor>>(node_, scope_, timeout_, pg_local_atom_v, group);
}

std::vector<node_members> groups::members_by_node(const std::string& group) {
  return ask_scope<std::vector<node_members>>(node_, scope_, timeout_, pg_where_atom_v, group);
}

std::vector<std::string> groups::which_groups() {
  return ask_scope<std::vector<std::string>>(node_, scope_, timeout_, pg_groups_atom_v);
}

std::vector<caf::actor> groups::monitor(const std::string& group, const caf::actor& watcher) {
  return ask_scope<std::vector<caf::actor>>(node_, scope_, timeout_, pg_monitor_atom_v, group, watcher);
}

} // namespace plugnode::runtime
