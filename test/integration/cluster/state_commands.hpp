// state_commands: the cluster_test_node commands for the clustered-state tests (groups, pub/sub): actors
// this node starts and owns, joined to groups or subscribed to topics, and what they saw.
#pragma once

#include <atomic>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "plugnode/runtime/entity_type.hpp"

namespace plugnode::runtime {
class node;
}

namespace plugnode::test {

// The entity type every test node hosts: "counter", answering (inc) with its new count and (get) with
// "COUNT NODE", handing its count over when it moves.
plugnode::runtime::entity_type counter_type(const std::string& node);
// And "sequence": one way (std::uint64_t sender, std::uint64_t seq) messages, checked to arrive 0, 1, 2, ...
// per sender; (get) answers "received=R errors=E node=NODE".
plugnode::runtime::entity_type sequence_type(const std::string& node);

class state_commands {
public:
  explicit state_commands(plugnode::runtime::node& n) : node_(n) {}
  ~state_commands(); // ends every actor it started

  // pg_join GROUP N (N new idle actors join) | pg_leave GROUP (the last of them leaves and ends) |
  // pg_exit GROUP (the last of them ends without leaving) | pg_members GROUP | pg_local GROUP (counts) |
  // pg_where GROUP ("NODE:COUNT,..." by node, this one first) | pg_groups |
  // ps_sub TOPIC N (N new checking subscribers) | ps_nodes TOPIC (nodes this one forwards TOPIC to) |
  // ps_pub TOPIC ID COUNT (COUNT broadcasts (ID, 0..COUNT-1) from a blocking publisher; answers the ms) |
  // ps_check ("received=R errors=E": messages the subscribers got; an error is one out of sequence per
  // publisher: lost, doubled or reordered) | ps_stats (runtime::pubsub_figures) |
  // ent_inc N (one inc of counter keys k0..kN-1 from here; "ok" or "errors=E") | ent_counts N (a line
  // "kI COUNT NODE" per key) | ent_get KEY MS ("COUNT NODE" within MS, or "error ...") | ent_stats
  // (runtime::entities_figures of "counter") | ent_stream KEY ID COUNT (COUNT entity_sends (ID, 0..COUNT-1)
  // to the sequence KEY) | ent_seen KEY (its "received=R errors=E node=NODE")
  bool handles(const std::string& cmd) const;
  std::string run(const std::string& cmd, const std::vector<std::string>& args);

  // What this node's checking subscribers saw.
  struct seen {
    std::atomic<std::uint64_t> received{0};
    std::atomic<std::uint64_t> errors{0};
  };

private:
  std::string pubsub(const std::string& cmd, const std::vector<std::string>& args);
  std::string entities(const std::string& cmd, const std::vector<std::string>& args);

  plugnode::runtime::node& node_;
  std::mutex mutex_; // httplib runs commands on several threads; guards the actors below
  std::shared_ptr<seen> seen_ = std::make_shared<seen>();
  std::vector<caf::actor> subscribers_;
  std::map<std::string, std::vector<caf::actor>> joined_; // by group, in join order
};

} // namespace plugnode::test
