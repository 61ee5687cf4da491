// The scope actor; see scope.hpp and plugnode/runtime/groups.hpp.
#include "groups/scope.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "flow/peer_directory.hpp"
#include "groups/membership.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/groups.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugnode::runtime::detail {
namespace {

class scope_actor final : public caf::event_based_actor {
public:
  scope_actor(caf::actor_config& cfg, scope_settings settings)
      : caf::event_based_actor(cfg), cfg_(std::move(settings)) {}
  const char* name() const override { return "plugnode.groups.scope"; }

  caf::behavior make_behavior() override {
    set_down_handler([this](caf::down_msg& down) { on_down(down.source); });
    // Peers' scopes may send what this version does not know: dropped, never fatal.
    set_default_handler(caf::drop);
    // caf::drop answers a stray message with an error; one arriving here must not stop this actor either.
    set_error_handler([](caf::error&) {});
    send(cfg_.agent, monitor_nodes_atom_v, caf::actor_cast<caf::actor>(this));
    request(cfg_.agent, cfg_.lookup_timeout, nodes_atom_v)
        .then(
            [this](const std::vector<std::string>& nodes) {
              for (auto& n : nodes)
                discover(n);
            },
            [](caf::error&) {});
    return {
        // this node's actors
        [this](pg_join_atom, const std::string& group, const caf::actor& who) { return join(group, who); },
        [this](pg_leave_atom, const std::string& group, const caf::actor& who) {
          auto left = table_.remove(local_owner, group, {who});
          if (left.empty())
            return false;
          to_peers(caf::make_message(pg_pleave_atom_v, self(), left, std::vector<std::string>{group}));
          notify({group, {}, left});
          return true;
        },
        [this](pg_members_atom, const std::string& group) { return table_.members(group); },
        [this](pg_local_atom, const std::string& group) { return table_.owned(local_owner, group); },
        [this](pg_where_atom, const std::string& group) { return by_node(group); },
        [this](pg_groups_atom) { return table_.groups(); },
        [this](pg_monitor_atom, const std::string& group, const caf::actor& watcher) {
          watch(group, watcher);
          return table_.members(group);
        },
        [this](pg_monitor_atom, const caf::actor& watcher) {
          watch(std::string(), watcher);
          std::vector<group_members> all;
          for (auto& group : table_.groups())
            all.push_back({group, table_.members(group)});
          return all;
        },
        [this](pg_demon_atom, const std::string& group, const caf::actor& watcher) {
          auto& list = watchers_[group];
          list.erase(std::remove(list.begin(), list.end(), watcher), list.end());
        },
        // the node agent
        [this](nodeup_atom, const std::string& node) { discover(node); },
        [this](nodedown_atom, const std::string& node, const std::string&) {
          for (auto& [addr, peer] : peers_)
            if (peer.node == node) {
              drop_peer(addr);
              return;
            }
        },
        // peer scopes
        [this](pg_disc_atom, const caf::actor& peer, const std::string& node) {
          if (!peer)
            return;
          send(peer, pg_sync_atom_v, self(), cfg_.self_node, table_.view(local_owner));
          if (!know(peer, node))
            send(peer, pg_disc_atom_v, self(), cfg_.self_node);
        },
        [this](pg_sync_atom, const caf::actor& peer, const std::string& node,
               const std::vector<group_members>& view) {
          if (!peer)
            return;
          know(peer, node);
          for (auto& c : table_.replace(owner_key(peer.address()), held(view)))
            notify(c);
        },
        [this](pg_pjoin_atom, const caf::actor& peer, const std::string& group,
               const std::vector<caf::actor>& actors) {
          if (!peer || !peers_.count(peer.address()))
            return; // a peer that has not synced yet: its sync will carry this
          auto members = held(actors);
          table_.add(owner_key(peer.address()), group, members);
          notify({group, members, {}});
        },
        [this](pg_pleave_atom, const caf::actor& peer, const std::vector<caf::actor>& actors,
               const std::vector<std::string>& groups) {
          if (!peer || !peers_.count(peer.address()))
            return;
          for (auto& group : groups) {
            auto left = table_.remove(owner_key(peer.address()), group, actors);
            if (!left.empty())
              notify({group, {}, std::move(left)});
          }
        },
    };
  }

  // Handles held after the end would keep others alive: the agent's registry holds this scope, and an actor
  // object (with its members) lives until its last handle goes, so without this the two could hold each
  // other and a detached actor the registry names would never be destroyed (the actor system's destructor
  // then waits for ever).
  void on_exit() override {
    cfg_.agent = nullptr;
    table_ = membership{};
    peers_.clear();
    watchers_.clear();
  }

private:
  struct peer_scope {
    caf::actor scope;
    std::string node;
  };

  static std::string owner_key(const caf::actor_addr& addr) { return caf::to_string(addr); }

  caf::actor self() { return caf::actor_cast<caf::actor>(this); }

  bool join(const std::string& group, const caf::actor& who) {
    if (!who || who.node() != node() || group.empty())
      return false; // each node owns its own members; "" names the whole scope
    table_.add(local_owner, group, {who});
    if (monitored_.insert(who.address()).second)
      monitor(who);
    to_peers(caf::make_message(pg_pjoin_atom_v, self(), group, std::vector<caf::actor>{who}));
    notify({group, {who}, {}});
    return true;
  }

  // This node's members first, then each peer's that has any.
  std::vector<node_members> by_node(const std::string& group) const {
    std::vector<node_members> out;
    if (auto own = table_.owned(local_owner, group); !own.empty())
      out.push_back({cfg_.self_node, std::move(own)});
    for (auto& [addr, peer] : peers_)
      if (auto theirs = table_.owned(owner_key(addr), group); !theirs.empty())
        out.push_back({peer.node, std::move(theirs)});
    return out;
  }

  void discover(const std::string& node) {
    request(cfg_.agent, cfg_.lookup_timeout, whereis_atom_v, cfg_.scope, node)
        .then([this](const caf::actor& peer) { send(peer, pg_disc_atom_v, self(), cfg_.self_node); },
              [](caf::error&) {}); // no such scope there (yet): it discovers us when it starts
  }

  // Adds `peer` (monitored) unless known; true when it was known. A new scope of a node replaces its old one
  // (the node restarted).
  bool know(const caf::actor& peer, const std::string& node) {
    if (peers_.count(peer.address()))
      return true;
    for (auto& [addr, old] : peers_)
      if (old.node == node) {
        drop_peer(addr);
        break;
      }
    peers_[peer.address()] = {peer, node};
    monitor(peer);
    return false;
  }

  void drop_peer(caf::actor_addr addr) {
    auto i = peers_.find(addr);
    if (i == peers_.end())
      return;
    demonitor(i->second.scope);
    peers_.erase(i);
    for (auto& had : table_.drop(owner_key(addr)))
      notify({had.group, {}, std::move(had.members)});
  }

  std::vector<caf::actor> held(std::vector<caf::actor> actors) const {
    if (auto directory = cfg_.directory.lock())
      for (auto& a : actors)
        a = directory->held(a);
    return actors;
  }
  std::vector<group_members> held(std::vector<group_members> view) const {
    for (auto& g : view)
      g.members = held(std::move(g.members));
    return view;
  }

  void watch(const std::string& group, const caf::actor& watcher) {
    if (!watcher)
      return;
    watchers_[group].push_back(watcher);
    if (watching_.insert(watcher.address()).second)
      monitor(watcher);
  }

  void on_down(const caf::actor_addr& source) {
    if (peers_.count(source)) {
      drop_peer(source);
      return;
    }
    if (watching_.erase(source))
      for (auto& [group, list] : watchers_)
        list.erase(std::remove_if(list.begin(), list.end(), [&](auto& w) { return w.address() == source; }),
                   list.end());
    if (monitored_.erase(source)) {
      for (auto& left : table_.remove_everywhere(local_owner, source)) {
        to_peers(
            caf::make_message(pg_pleave_atom_v, self(), left.members, std::vector<std::string>{left.group}));
        notify({left.group, {}, std::move(left.members)});
      }
    }
  }

  void to_peers(const caf::message& msg) {
    for (auto& [addr, peer] : peers_)
      send(peer.scope, msg);
  }

  void notify(const membership::change& c) {
    for (auto* key : {&c.group, &whole_scope_}) {
      auto i = watchers_.find(*key);
      if (i == watchers_.end())
        continue;
      for (auto& w : i->second) {
        if (!c.joined.empty())
          send(w, pg_joined_atom_v, cfg_.scope, c.group, c.joined);
        if (!c.left.empty())
          send(w, pg_left_atom_v, cfg_.scope, c.group, c.left);
      }
    }
  }

  scope_settings cfg_;
  membership table_;
  std::map<caf::actor_addr, peer_scope> peers_;
  std::set<caf::actor_addr> monitored_; // local members
  std::map<std::string, std::vector<caf::actor>> watchers_;
  std::set<caf::actor_addr> watching_;
  const std::string whole_scope_;
};

} // namespace

caf::actor spawn_scope(caf::actor_system& system, scope_settings settings) {
  return system.spawn<scope_actor>(std::move(settings));
}

} // namespace plugnode::runtime::detail
