// state_commands: the cluster_test_node commands for the clustered-state tests (groups, pub/sub): actors
// this node starts and owns, joined to groups or subscribed to topics, and what they saw.
#pragma once

#include <map>
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
  // pg_groups
  bool handles(const std::string& cmd) const;
  std::string run(const std::string& cmd, const std::vector<std::string>& args);

private:
  plugnode::runtime::node& node_;
  std::map<std::string, std::vector<caf::actor>> joined_; // by group, in join order
};

} // namespace plugnode::test
