// The clustered-state commands of cluster_test_node; see state_commands.hpp.
#include "state_commands.hpp"

#include <cctype>

#include <caf/all.hpp>

#include "plugnode/runtime/entities.hpp"
#include "plugnode/runtime/groups.hpp"
#include "plugnode/runtime/node.hpp"
#include "plugnode/runtime/pubsub.hpp"
#include "plugnode/test/idle_actor.hpp"

namespace plugnode::test {
namespace {

using inc_atom = caf::atom_constant<caf::atom("inc")>;

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

runtime::entity_type counter_type(const std::string& node) {
  runtime::entity_type type;
  type.name = "counter";
  type.hands_off = true;
  type.start = [node](caf::event_based_actor*, const std::string&,
                      const std::string& state) -> caf::behavior {
    auto count = std::make_shared<std::uint64_t>(state.empty() ? 0 : std::stoull(state));
    return {
        [count](inc_atom) { return ++*count; },
        [count, node](caf::get_atom) { return std::to_string(*count) + " " + node; },
        [count](runtime::entity_handoff_atom) { return std::to_string(*count); },
    };
  };
  return type;
}

runtime::entity_type sequence_type(const std::string& node) {
  runtime::entity_type type;
  type.name = "sequence";
  type.hands_off = false;
  type.start = [node](caf::event_based_actor*, const std::string&, const std::string&) -> caf::behavior {
    struct seen {
      std::map<std::uint64_t, std::uint64_t> next; // by sender
      std::uint64_t received = 0;
      std::uint64_t errors = 0;
    };
    auto s = std::make_shared<seen>();
    return {
        [s](std::uint64_t sender, std::uint64_t seq) {
          auto& next = s->next[sender];
          s->errors += seq == next ? 0 : 1;
          next = seq + 1;
          ++s->received;
        },
        [s, node](caf::get_atom) {
          return "received=" + std::to_string(s->received) + " errors=" + std::to_string(s->errors) +
                 " node=" + node;
        },
    };
  };
  return type;
}

state_commands::~state_commands() {
  for (auto& [group, actors] : joined_)
    for (auto& a : actors)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  for (auto& a : subscribers_)
    caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

bool state_commands::handles(const std::string& cmd) const {
  return cmd.rfind("pg_", 0) == 0 || cmd.rfind("ps_", 0) == 0 || cmd.rfind("ent_", 0) == 0;
}

std::string state_commands::pubsub(const std::string& cmd, const std::vector<std::string>& args) {
  auto topic = args.empty() ? std::string() : args[0];
  if (cmd == "ps_sub") {
    std::lock_guard<std::mutex> guard(mutex_);
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
    return "received=" + std::to_string(seen_->received.load()) +
           " errors=" + std::to_string(seen_->errors.load());
  if (cmd == "ps_stats") {
    auto f = runtime::pubsub_figures(node_);
    return "topics=" + std::to_string(f.topics) + " subscribers=" + std::to_string(f.subscribers) +
           " broadcasts=" + std::to_string(f.broadcasts) + " deliveries=" + std::to_string(f.deliveries) +
           " forwarded=" + std::to_string(f.forwarded) + " received=" + std::to_string(f.received);
  }
  return "error: bad command " + cmd;
}

std::string state_commands::entities(const std::string& cmd, const std::vector<std::string>& args) {
  caf::scoped_actor self{node_.system()};
  auto keys = args.empty() || args[0].empty() || !std::isdigit(static_cast<unsigned char>(args[0][0]))
                  ? 0
                  : std::stoi(args[0]);
  if (cmd == "ent_inc") {
    int errors = 0;
    for (int k = 0; k < keys; ++k)
      if (!runtime::entity_call<std::uint64_t>(*self.ptr(), node_, "counter", "k" + std::to_string(k),
                                               std::chrono::seconds(5), inc_atom::value))
        ++errors;
    return errors == 0 ? "ok" : "errors=" + std::to_string(errors);
  }
  if (cmd == "ent_counts") {
    std::string out;
    for (int k = 0; k < keys; ++k) {
      auto key = "k" + std::to_string(k);
      auto reply = runtime::entity_call<std::string>(*self.ptr(), node_, "counter", key,
                                                     std::chrono::seconds(5), caf::get_atom_v);
      out += key + " " + (reply ? *reply : "error " + node_.system().render(reply.error())) + "\n";
    }
    return out;
  }
  if (cmd == "ent_get" && args.size() == 2) {
    auto reply =
        runtime::entity_call<std::string>(*self.ptr(), node_, "counter", args[0],
                                          std::chrono::milliseconds(std::stoi(args[1])), caf::get_atom_v);
    return reply ? *reply : "error " + node_.system().render(reply.error());
  }
  if (cmd == "ent_stream" && args.size() == 3) {
    auto id = std::stoull(args[1]);
    auto count = std::stoull(args[2]);
    for (std::uint64_t seq = 0; seq < count; ++seq)
      runtime::entity_send(self.ptr(), node_, "sequence", args[0], id, seq);
    return "ok";
  }
  if (cmd == "ent_seen" && args.size() == 1) {
    auto reply = runtime::entity_call<std::string>(*self.ptr(), node_, "sequence", args[0],
                                                   std::chrono::seconds(5), caf::get_atom_v);
    return reply ? *reply : "error " + node_.system().render(reply.error());
  }
  if (cmd == "ent_stats") {
    for (auto& f : runtime::entities_figures(node_))
      if (f.type == "counter")
        return "active=" + std::to_string(f.active) + " hosts=" + std::to_string(f.hosts) +
               " activations=" + std::to_string(f.activations) + " handoffs=" + std::to_string(f.handoffs);
    return "error: no counter type";
  }
  return "error: bad command " + cmd;
}

std::string state_commands::run(const std::string& cmd, const std::vector<std::string>& args) {
  if (cmd.rfind("ps_", 0) == 0)
    return pubsub(cmd, args);
  if (cmd.rfind("ent_", 0) == 0)
    return entities(cmd, args);
  std::lock_guard<std::mutex> guard(mutex_);
  runtime::groups pg(node_, node_.group_scope());
  auto group = args.empty() ? std::string() : args[0];
  if (cmd == "pg_join") {
    auto n = args.size() > 1 ? std::stoi(args[1]) : 1;
    for (int i = 0; i < n; ++i) {
      auto actor = plugnode::test::spawn_idle(node_.system());
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
  if (cmd == "pg_where") {
    std::vector<std::string> where;
    for (const auto& [node, members] : pg.members_by_node(group))
      where.push_back(node + ":" + std::to_string(members.size()));
    return join_names(where);
  }
  if (cmd == "pg_local")
    return std::to_string(pg.local_members(group).size());
  if (cmd == "pg_groups")
    return join_names(pg.which_groups());
  return "error: unknown command " + cmd;
}

} // namespace plugnode::test
