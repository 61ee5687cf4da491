// peer_directory: the agents of the authenticated peers and their outbound budgets, readable from any
// thread. The node agent is the only writer; callers that already know a peer is connected (ping) reach its
// agent directly instead of asking the local agent, which saves two mailbox hops and two thread wake-ups per
// round trip (docs/benchmarks.md, distribution), and senders find the budget of a message's node here
// (dist_send.hpp).
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/node_id.hpp>
#include <caf/send.hpp>

#include "flow/dist_flow.hpp"
#include "flow/held_proxy.hpp"

namespace plugnode::runtime::detail {

class peer_directory : public std::enable_shared_from_this<peer_directory> {
public:
  // Where budgets come from: the node's flow actor and the limit (bytes) of each peer's budget; all of
  // them share one meter of the BASP broker's mailbox (broker_meter.hpp).
  void use_flow(caf::actor flow, std::uint64_t limit) {
    std::lock_guard<std::mutex> guard(mutex_);
    flow_ = std::move(flow);
    limit_ = limit;
    meter_ = std::make_shared<broker_meter>();
  }
  void set(const std::string& name, const caf::actor& agent) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto& entry = peers_[name];
    if (entry.agent && entry.agent.node() != agent.node())
      close_locked(entry);
    entry.agent = agent;
    if (!entry.budget && flow_) {
      entry.budget = std::make_shared<outbound_budget>(limit_, meter_);
      entry.traffic = std::make_shared<peer_traffic>();
      caf::anon_send(flow_, flow_locate_atom_v, entry.traffic, agent.node());
    }
  }
  void erase(const std::string& name) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto i = peers_.find(name);
    if (i == peers_.end())
      return;
    close_locked(i->second);
    peers_.erase(i);
  }
  void clear() {
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto& [name, entry] : peers_)
      close_locked(entry);
    peers_.clear();
    flow_ = nullptr;
  }
  // The peer's agent, or an invalid handle when `name` (canonical) is not connected.
  caf::actor find(const std::string& name) const {
    std::lock_guard<std::mutex> guard(mutex_);
    auto i = peers_.find(name);
    return i == peers_.end() ? caf::actor{} : i->second.agent;
  }

  // What a sender to a remote actor needs: that node's budget, its agent (marks go there) and the flow
  // actor; an empty budget for a node that is not a connected peer (a local actor, a hidden client's
  // unknown node).
  struct route {
    budget_ptr budget;
    caf::actor agent;
    caf::actor flow;
  };
  route route_to(const caf::node_id& node) const {
    std::lock_guard<std::mutex> guard(mutex_);
    for (auto& [name, entry] : peers_)
      if (entry.agent.node() == node)
        return {entry.budget, entry.agent, flow_};
    return {};
  }

  // `x` held by its node's budget when that node is a connected peer (held_proxy.hpp), else `x` itself.
  caf::actor held(const caf::actor& x) const {
    auto r = x ? route_to(x.node()) : route{};
    return r.budget ? make_held_proxy(x, std::move(r.budget), weak_from_this()) : x;
  }

  // True when bytes arrived from `name` since the last call or wait to be read: the agent's sign of life
  // besides heartbeat answers, which may queue behind a full buffer (peer_traffic.hpp).
  bool heard_from(const std::string& name) const {
    traffic_ptr traffic;
    {
      std::lock_guard<std::mutex> guard(mutex_);
      auto i = peers_.find(name);
      if (i == peers_.end() || !i->second.traffic)
        return false;
      traffic = i->second.traffic;
    }
    return traffic->heard_from();
  }

  // Every peer's budget and connection counters, for the metrics.
  struct peer_load {
    std::string name;
    budget_ptr budget;
    traffic_ptr traffic;
  };
  std::vector<peer_load> load() const {
    std::lock_guard<std::mutex> guard(mutex_);
    std::vector<peer_load> out;
    for (auto& [name, entry] : peers_)
      if (entry.budget)
        out.push_back({name, entry.budget, entry.traffic});
    return out;
  }

private:
  struct entry {
    caf::actor agent;
    budget_ptr budget;
    traffic_ptr traffic;
  };
  // Held senders of a peer that is gone are released (their sends go nowhere, as any send to a dead node).
  void close_locked(entry& e) {
    if (!e.budget)
      return;
    e.budget->close();
    if (flow_)
      caf::anon_send(flow_, flow_close_atom_v, e.budget);
    e.budget = nullptr;
    e.traffic = nullptr;
  }

  mutable std::mutex mutex_;
  caf::actor flow_;
  std::uint64_t limit_ = 0;
  meter_ptr meter_;
  std::map<std::string, entry> peers_;
};

} // namespace plugnode::runtime::detail
