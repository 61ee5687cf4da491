// topic_table: one node's pub/sub table, shared between its server (the only writer) and every publisher
// on the node (readers, in their own threads: a broadcast needs no message to the server, as
// Phoenix.PubSub's dispatch reads its Registry's ETS table in the caller).
#pragma once

#include <atomic>
#include <map>
#include <shared_mutex>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>

#include "plugnode/runtime/pubsub.hpp"

namespace plugnode::runtime::detail {

class topic_table {
public:
  // This node's subscribers. add: true when `topic` had none before; remove: {one undone, none left}.
  bool add_local(const std::string& topic, const caf::actor& who);
  std::pair<bool, bool> remove_local(const std::string& topic, const caf::actor& who);
  // `who` ended: the topics it left that have no subscriber now.
  std::vector<std::string> remove_everywhere(const caf::actor_addr& who);

  // Other nodes' servers with subscribers for `topic` (group events of the pub/sub scope).
  void add_remote(const std::string& topic, const std::vector<caf::actor>& servers);
  void remove_remote(const std::string& topic, const std::vector<caf::actor>& servers);

  void clear(); // the server ended: nobody to deliver to any more

  topic_route route(const std::string& topic, bool remote);
  std::size_t remote_count(const std::string& topic) const;
  pubsub_counts counts() const;

  std::atomic<std::uint64_t> broadcasts{0};
  std::atomic<std::uint64_t> deliveries{0};
  std::atomic<std::uint64_t> forwarded{0};
  std::atomic<std::uint64_t> received{0};

private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, std::vector<caf::actor>> local_;
  std::map<std::string, std::vector<caf::actor>> remote_;
  std::uint64_t subscriptions_ = 0;
};

} // namespace plugnode::runtime::detail
