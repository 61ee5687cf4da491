// A node's pub/sub table; see topic_table.hpp.
#include "pubsub/topic_table.hpp"

#include <algorithm>
#include <mutex>

namespace plugnode::runtime::detail {

bool topic_table::add_local(const std::string& topic, const caf::actor& who) {
  std::unique_lock<std::shared_mutex> guard(mutex_);
  auto& subscribers = local_[topic];
  subscribers.push_back(who);
  ++subscriptions_;
  return subscribers.size() == 1;
}

std::pair<bool, bool> topic_table::remove_local(const std::string& topic, const caf::actor& who) {
  std::unique_lock<std::shared_mutex> guard(mutex_);
  auto t = local_.find(topic);
  if (t == local_.end())
    return {false, false};
  auto i = std::find(t->second.begin(), t->second.end(), who);
  if (i == t->second.end())
    return {false, false};
  t->second.erase(i);
  --subscriptions_;
  if (!t->second.empty())
    return {true, false};
  local_.erase(t);
  return {true, true};
}

std::vector<std::string> topic_table::remove_everywhere(const caf::actor_addr& who) {
  std::unique_lock<std::shared_mutex> guard(mutex_);
  std::vector<std::string> emptied;
  for (auto t = local_.begin(); t != local_.end();) {
    auto& subscribers = t->second;
    auto before = subscribers.size();
    subscribers.erase(std::remove_if(subscribers.begin(), subscribers.end(),
                                     [&](const caf::actor& s) { return s.address() == who; }),
                      subscribers.end());
    subscriptions_ -= before - subscribers.size();
    if (subscribers.empty()) {
      emptied.push_back(t->first);
      t = local_.erase(t);
    } else {
      ++t;
    }
  }
  return emptied;
}

void topic_table::add_remote(const std::string& topic, const std::vector<caf::actor>& servers) {
  std::unique_lock<std::shared_mutex> guard(mutex_);
  auto& known = remote_[topic];
  known.insert(known.end(), servers.begin(), servers.end());
}

void topic_table::remove_remote(const std::string& topic, const std::vector<caf::actor>& servers) {
  std::unique_lock<std::shared_mutex> guard(mutex_);
  auto t = remote_.find(topic);
  if (t == remote_.end())
    return;
  for (auto& server : servers) {
    auto i = std::find(t->second.begin(), t->second.end(), server);
    if (i != t->second.end())
      t->second.erase(i);
  }
  if (t->second.empty())
    remote_.erase(t);
}

void topic_table::clear() {
  std::unique_lock<std::shared_mutex> guard(mutex_);
  local_.clear();
  remote_.clear();
  subscriptions_ = 0;
}

topic_route topic_table::route(const std::string& topic, bool remote) {
  topic_route out;
  std::shared_lock<std::shared_mutex> guard(mutex_);
  if (auto t = local_.find(topic); t != local_.end())
    out.local = t->second;
  if (remote)
    if (auto t = remote_.find(topic); t != remote_.end())
      out.remote = t->second;
  return out;
}

std::size_t topic_table::remote_count(const std::string& topic) const {
  std::shared_lock<std::shared_mutex> guard(mutex_);
  auto t = remote_.find(topic);
  return t == remote_.end() ? 0 : t->second.size();
}

pubsub_counts topic_table::counts() const {
  pubsub_counts out;
  {
    std::shared_lock<std::shared_mutex> guard(mutex_);
    out.topics = local_.size();
    out.subscribers = subscriptions_;
  }
  out.broadcasts = broadcasts.load(std::memory_order_relaxed);
  out.deliveries = deliveries.load(std::memory_order_relaxed);
  out.forwarded = forwarded.load(std::memory_order_relaxed);
  out.received = received.load(std::memory_order_relaxed);
  return out;
}

} // namespace plugnode::runtime::detail
