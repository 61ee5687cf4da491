// The clustered-state commands of cluster_test_node; see state_commands.hpp.
#include "state_commands.hpp"

#include <caf/all.hpp>

#include "plugnode/runtime/groups.hpp"
#include "plugnode/runtime/node.hpp"

namespace plugnode::test {
namespace {

caf::behavior idle(caf::event_based_actor*) {
  return {[](int) {}};
}

std::string join_names(const std::vector<std::string>& items) {
  std::string out;
  for (auto& item : items)
    out += (out.empty() ? "" : ",") + item;
  return out;
}

} // namespace

state_commands::~state_commands() {
  for (auto& [group, actors] : joined_)
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

bool state_commands::handles(const std::string& cmd) const {
  return cmd.rfind("pg_", 0) == 0;
}

std::string state_commands::run(const std::string& cmd, const std::vector<std::string>& args) {
  runtime::groups pg(node_, node_.group_scope());
  auto group = args.empty() ? std::string() : args[0];
  if (cmd == "pg_join") {
    auto n = args.size() > 1 ? std::stoi(args[1]) : 1;
    for (int i = 0; i < n; ++i) {
      auto actor = node_.system().spawn(idle);
      joined_[group].push_back(actor);
      if (!pg.join(group, actor))
        return "false";
    }
    return "true";
  }
  auto& mine = joined_[group];
  if ((cmd == "pg_leave" || cmd == "pg_exit") && mine.empty())
    return "error: no member of " + group + " started here";
  if (cmd == "pg_leave") {
    auto ok = pg.leave(group, mine.back());
    caf::anon_send_exit(mine.back(), caf::exit_reason::user_shutdown);
    mine.pop_back();
    return ok ? "true" : "false";
  }
  if (cmd == "pg_exit") {
    caf::anon_send_exit(mine.back(), caf::exit_reason::user_shutdown);
    mine.pop_back();
    return "ok";
  }
  if (cmd == "pg_members")
    return std::to_string(pg.members(group).size());
  if (cmd == "pg_local")
    return std::to_string(pg.local_members(group).size());
  if (cmd == "pg_groups")
    return join_names(pg.which_groups());
  return "error: unknown command " + cmd;
}

} // namespace plugnode::test
