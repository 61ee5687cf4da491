// dashboard_snapshot: what the operator dashboard shows, gathered once a second into one JSON document from
// what the node already exports: the /metrics registry (process, HTTP, connections, distribution, pub/sub,
// entities), the /cluster report (peers, round trips, discovery), the agent's nodeup/nodedown events, the
// registry of names, the group scope and the log's tail (log_tail.hpp). It computes rates and quantiles
// from successive samples (http_window.hpp) and counts nothing itself. A thread of its own samples and
// hands each document to the subscribers (the dashboard's event streams), so a stream holds no worker.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "plugnode/app/node_routes.hpp"

namespace plugnode::runtime {
class node;
}

namespace plugnode::app {

struct snapshot_source {
  runtime::node* node = nullptr; // started; must outlive the sampler
  node_services services;
  std::string version;
  std::vector<std::string> actor_names; // the names the node and its service register
  std::chrono::milliseconds interval{1000};
};

class dashboard_snapshot {
public:
  // Starts sampling at once; the first snapshot is there after one sample.
  explicit dashboard_snapshot(snapshot_source source);
  ~dashboard_snapshot(); // stops the sampling thread
  dashboard_snapshot(const dashboard_snapshot&) = delete;
  dashboard_snapshot& operator=(const dashboard_snapshot&) = delete;

  // The newest snapshot; on a node that has just started, waits (2 s at most) for the first ("{}" then).
  std::string latest() const;

  // A reader of every new snapshot: `deliver` gets each (the newest at once when there is one) until it
  // returns false; `end` runs once when the sampler stops while it still reads. Both run on the sampler's
  // thread (the first delivery on the caller's) and must not block.
  struct subscriber {
    std::function<bool(const std::string& document)> deliver;
    std::function<void()> end;
  };
  void subscribe(subscriber s);
  std::size_t subscribers() const;

  // Ends the sampling and every subscription.
  void stop();

  struct state;

private:
  std::shared_ptr<state> state_;
  std::thread sampler_;
};

} // namespace plugnode::app
