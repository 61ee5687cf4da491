// state_commands: the cluster_test_node commands for the clustered-state tests (groups, pub/sub): actors
// this node starts and owns, joined to groups or subscribed to topics, and what they saw.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <caf/actor.hpp>

namespace plugnode::runtime {
class node;
}

namespace plugnode::test {

class state_commands {
public:
  explicit state_commands(plugnode::runtime::node& n) : node_(n) {}
  ~state_commands(); // ends every actor it started

  // pg_join GROUP N (N new idle actors join) | pg_leave GROUP (the last of them leaves and ends) |
  // pg_exit GROUP (the last of them ends without leaving) | pg_members GROUP | pg_local GROUP (counts) |
  // pg_groups |
  // ps_sub TOPIC N (N new checking subscribers) | ps_nodes TOPIC (nodes this one forwards TOPIC to) |
  // ps_pub TOPIC ID COUNT (COUNT broadcasts (ID, 0..COUNT-1) from a blocking publisher; answers the ms) |
  // ps_check ("received=R errors=E": messages the subscribers got; an error is one out of sequence per
  // publisher: lost, doubled or reordered) | ps_stats (runtime::pubsub_figures)
  bool handles(const std::string& cmd) const;
  std::string run(const std::string& cmd, const std::vector<std::string>& args);

  // What this node's checking subscribers saw.
  struct seen {
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> errors{0};
  };

private:
  std::string pubsub(const std::string& cmd, const std::vector<std::string>& args);

  plugnode::runtime::node& node_;
  std::shared_ptr<seen> seen_ = std::make_shared<seen>();
  std::vector<caf::actor> subscribers_;
  std::map<std::string, std::vector<caf::actor>> joined_; // by group, in join order
};

} // namespace plugnode::test
