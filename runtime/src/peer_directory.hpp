// peer_directory: the agents of the authenticated peers, readable from any thread. The node agent is the only
// writer; callers that already know a peer is connected (ping) reach its agent directly instead of asking
// the local agent, which saves two mailbox hops and two thread wake-ups per round trip
// (docs/benchmarks.md, distribution).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include <caf/actor.hpp>

namespace plugnode::runtime::detail {

class peer_directory {
public:
  void set(const std::string& name, const caf::actor& agent) {
    std::lock_guard<std::mutex> guard(mutex_);
    agents_[name] = agent;
  }
  void erase(const std::string& name) {
    std::lock_guard<std::mutex> guard(mutex_);
    agents_.erase(name);
  }
  void clear() {
    std::lock_guard<std::mutex> guard(mutex_);
    agents_.clear();
  }
  // The peer's agent, or an invalid handle when `name` (canonical) is not connected.
  caf::actor find(const std::string& name) const {
    std::lock_guard<std::mutex> guard(mutex_);
    auto i = agents_.find(name);
    return i == agents_.end() ? caf::actor{} : i->second;
  }

private:
  mutable std::mutex mutex_;
  std::map<std::string, caf::actor> agents_;
};

} // namespace plugnode::runtime::detail
