// The pub/sub server; see server.hpp.
#include "pubsub/server.hpp"

#include <chrono>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "plugnode/runtime/groups.hpp"
#include "plugnode/runtime/pubsub.hpp"
#include "pubsub/topic_table.hpp"

namespace plugnode::runtime::detail {
namespace {

constexpr auto scope_timeout = std::chrono::seconds(5);

class pubsub_server final : public caf::event_based_actor {
public:
  pubsub_server(caf::actor_config& cfg, std::shared_ptr<topic_table> table, caf::actor scope)
      : caf::event_based_actor(cfg), table_(std::move(table)), scope_(std::move(scope)) {}
  const char* name() const override { return "plugnode.pubsub.server"; }

  caf::behavior make_behavior() override {
    set_down_handler([this](caf::down_msg& down) {
      subscribers_.erase(down.source);
      for (auto& topic : table_->remove_everywhere(down.source))
        in_group(pg_leave_atom_v, topic);
    });
    set_default_handler(caf::drop);
    // caf::drop answers a stray message with an error; one arriving here must not stop this actor either.
    set_error_handler([](caf::error&) {});
    // The snapshot comes before any event (the scope sends both, in that order).
    request(scope_, scope_timeout, pg_monitor_atom_v, self())
        .then(
            [this](const std::vector<group_members>& all) {
              for (auto& entry : all)
                table_->add_remote(entry.group, others(entry.members));
            },
            [](caf::error&) {});
    return {
        [this](ps_sub_atom, const std::string& topic, const caf::actor& who) {
          if (!who || who.node() != node())
            return false; // subscriptions are local
          if (table_->add_local(topic, who))
            in_group(pg_join_atom_v, topic);
          if (subscribers_.insert(who.address()).second)
            monitor(who);
          return true;
        },
        [this](ps_unsub_atom, const std::string& topic, const caf::actor& who) {
          auto [undone, none_left] = table_->remove_local(topic, who);
          if (none_left)
            in_group(pg_leave_atom_v, topic);
          return undone;
        },
        [this](ps_fwd_atom, const std::string& topic, const caf::actor& from, const caf::message& msg) {
          table_->received.fetch_add(1, std::memory_order_relaxed);
          std::uint64_t delivered = 0;
          for (auto& subscriber : table_->route(topic, false).local)
            if (subscriber != from) {
              send(subscriber, msg);
              ++delivered;
            }
          table_->deliveries.fetch_add(delivered, std::memory_order_relaxed);
        },
        [this](pg_joined_atom, const std::string&, const std::string& topic,
               const std::vector<caf::actor>& xs) { table_->add_remote(topic, others(xs)); },
        [this](pg_left_atom, const std::string&, const std::string& topic,
               const std::vector<caf::actor>& xs) { table_->remove_remote(topic, others(xs)); },
    };
  }

  // Subscribers and other nodes' servers out of the table (publishers read it after this ends too), and no
  // handle kept that could hold others alive (see the scope's on_exit).
  void on_exit() override {
    table_->clear();
    scope_ = nullptr;
  }

private:
  caf::actor self() { return caf::actor_cast<caf::actor>(this); }

  std::vector<caf::actor> others(const std::vector<caf::actor>& servers) {
    std::vector<caf::actor> out;
    for (auto& s : servers)
      if (s != self())
        out.push_back(s);
    return out;
  }

  template <class Atom> void in_group(Atom change, const std::string& topic) {
    request(scope_, scope_timeout, change, topic, self()).then([](bool) {}, [](caf::error&) {});
  }

  std::shared_ptr<topic_table> table_;
  caf::actor scope_;
  std::set<caf::actor_addr> subscribers_;
};

} // namespace

caf::actor spawn_pubsub_server(caf::actor_system& system, std::shared_ptr<topic_table> table,
                               caf::actor scope) {
  return system.spawn<pubsub_server>(std::move(table), std::move(scope));
}

} // namespace plugnode::runtime::detail
