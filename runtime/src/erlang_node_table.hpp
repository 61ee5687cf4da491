// erlang_node_table: the BEAM nodes connected now, by name, shared by the Erlang side's threads (the
// acceptors add, each connection's reader removes itself at its end) and the node's own calls.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "erlang_connection.hpp"

namespace plugnode::runtime::detail {

class erlang_node_table {
public:
  // Adds `connection` under its peer's name; an older connection of that name is closed.
  void add(const std::shared_ptr<erlang_connection>& connection) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto& slot = connections_[connection->peer_node()];
    if (slot)
      slot->close("replaced by a new connection");
    slot = connection;
  }

  // Removes `connection` if it is still the one of its name.
  void remove(const std::shared_ptr<erlang_connection>& connection) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = connections_.find(connection->peer_node());
    if (it != connections_.end() && it->second == connection)
      connections_.erase(it);
    drained_.notify_all();
  }

  std::shared_ptr<erlang_connection> find(const std::string& node) const {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = connections_.find(node);
    return it == connections_.end() ? nullptr : it->second;
  }

  std::vector<std::string> names() const {
    std::lock_guard<std::mutex> guard(mutex_);
    std::vector<std::string> out;
    for (auto& entry : connections_)
      out.push_back(entry.first);
    return out;
  }

  // Closes every connection and waits up to `bound` for their readers to remove them.
  void close_all(const std::string& reason, std::chrono::milliseconds bound) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (auto& entry : connections_)
      entry.second->close(reason);
    drained_.wait_for(lock, bound, [this] { return connections_.empty(); });
  }

private:
  mutable std::mutex mutex_;
  std::condition_variable drained_;
  std::map<std::string, std::shared_ptr<erlang_connection>> connections_;
};

} // namespace plugnode::runtime::detail
