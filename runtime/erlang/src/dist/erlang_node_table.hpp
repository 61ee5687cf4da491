// erlang_node_table: the BEAM nodes connected now, by name, each with its connection and the actor behind it
// (erlang_peer.hpp), shared by the Erlang side's threads: the acceptors and dials add, each connection's
// reader removes itself at its end, the front actor (erlang_nodes.hpp) reads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>

#include "dist/erlang_connection.hpp"

namespace plugnode::erlang::detail {

class erlang_node_table {
public:
  struct entry {
    std::shared_ptr<erlang_connection> connection;
    caf::actor peer;
  };

  // Adds a connection under its peer's name; an older connection of that name is closed.
  void add(entry e) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto& slot = connections_[e.connection->peer_node()];
    if (slot.connection)
      slot.connection->close("replaced by a new connection");
    slot = std::move(e);
  }

  // Removes `connection` if it is still the one of its name.
  void remove(const std::shared_ptr<erlang_connection>& connection) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = connections_.find(connection->peer_node());
    if (it != connections_.end() && it->second.connection == connection)
      connections_.erase(it);
    drained_.notify_all();
  }

  std::optional<entry> find(const std::string& node) const {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = connections_.find(node);
    if (it == connections_.end())
      return std::nullopt;
    return it->second;
  }

  std::vector<std::string> names() const {
    std::lock_guard<std::mutex> guard(mutex_);
    std::vector<std::string> out;
    for (auto& e : connections_)
      out.push_back(e.first);
    return out;
  }

  // Closes every connection and waits up to `bound` for their readers to remove them.
  void close_all(const std::string& reason, std::chrono::milliseconds bound) {
    std::unique_lock<std::mutex> lock(mutex_);
    for (auto& e : connections_)
      e.second.connection->close(reason);
    drained_.wait_for(lock, bound, [this] { return connections_.empty(); });
  }

private:
  mutable std::mutex mutex_;
  std::condition_variable drained_;
  std::map<std::string, entry> connections_;
};

} // namespace plugnode::erlang::detail
