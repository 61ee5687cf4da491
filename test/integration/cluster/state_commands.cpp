// The clustered-state commands of cluster_test_node; see state_commands.hpp.
#include "state_commands.hpp"

#include <caf/all.hpp>

#include "plugnode/runtime/groups.hpp"
#include "plugnode/runtime/node.hpp"
#include "plugnode/runtime/pubsub.hpp"

namespace plugnode::test {
namespace {

caf::behavior idle(caf::event_based_actor*) {
  return {[](int) {}};
}

// Checks that each publisher's sequence numbers arrive 0, 1, 2, ... exactly once.
caf::behavior checking_subscriber(caf::stateful_actor<std::map<std::uint64_t, std::uint64_t>>* self,
                                  std::shared_ptr<state_commands::seen> seen) {
  return {[self, seen](std::uint64_t publisher, std::uint64_t seq) {
    auto& next = self->state[publisher];
    if (seq != next)
      seen->errors.fetch_add(1, std::memory_order_relaxed);
    next = seq + 1;
    seen->received.fetch_add(1, std::memory_order_relaxed);
  }};
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
  for (auto& a : subscribers_)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

bool state_commands::handles(const std::string& cmd) const {
  return cmd.rfind("pg_", 0) == 0 || cmd.rfind("ps_", 0) == 0;
}

std::string state_commands::pubsub(const std::string& cmd, const std::vector<std::string>& args) {
  auto topic = args.empty() ? std::string() : args[0];
  if (cmd == "ps_sub") {
    auto n = args.size() > 1 ? std::stoi(args[1]) : 1;
    for (int i = 0; i < n; ++i) {
      subscribers_.push_back(node_.system().spawn(checking_subscriber, seen_));
      if (!runtime::subscribe(node_, topic, subscribers_.back()))
        return "false";
    }
    return "true";
  }
  if (cmd == "ps_nodes")
    return std::to_string(runtime::topic_node_count(node_, topic));
  if (cmd == "ps_pub" && args.size() == 3) {
    auto id = std::stoull(args[1]);
    auto count = std::stoull(args[2]);
    caf::scoped_actor self{node_.system()};
    auto start = std::chrono::steady_clock::now();
    for (std::uint64_t seq = 0; seq < count; ++seq)
      runtime::broadcast(self.ptr(), node_, topic, id, seq);
    auto took = std::chrono::steady_clock::now() - start;
    return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(took).count());
  }
  if (cmd == "ps_check")
    return "received=" + std::to_string(seen_->received.load()) + " errors=" + std::to_string(seen_->errors.load());
  if (cmd == "ps_stats") {
    auto f = runtime::pubsub_figures(node_);
    return "topics=" + std::to_string(f.topics) + " subscribers=" + std::to_string(f.subscribers) +
           " broadcasts=" + std::to_string(f.broadcasts) + " deliveries=" + std::to_string(f.deliveries) +
           " forwarded=" + std::to_string(f.forwarded) + " received=" + std::to_string(f.received);
  }
  return "error: bad command " + cmd;
}

std::string state_commands::run(const std::string& cmd, const std::vector<std::string>& args) {
  if (cmd.rfind("ps_", 0) == 0)
    return pubsub(cmd, args);
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
