// region_actor: the entity region (region.hpp) as a class in three files, one idea each: region.cpp, its
// messages and its life; region_routing.cpp, where a key's message goes (to the key here, to its owner, or
// held while the key moves here); region_handoff.cpp, keys leaving this region (claims answered, hand-overs,
// the graceful stop, passivation).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <caf/event_based_actor.hpp>

#include "entities/region.hpp"
#include "plugnode/runtime/entities.hpp"

namespace plugnode::runtime::detail {

// What the region sends an entity to end it, after what it already handed it.
using ent_stop_atom = caf::atom_constant<caf::atom("ent_stop")>;
constexpr ent_stop_atom ent_stop_atom_v{};

class region_actor final : public caf::event_based_actor {
public:
  region_actor(caf::actor_config& cfg, region_settings settings);
  const char* name() const override { return "plugnode.entities.region"; }

  caf::behavior make_behavior() override;

  // No handle kept after the end (see the scope's on_exit); held calls get an error rather than no answer.
  void on_exit() override;

private:
  using clock_type = std::chrono::steady_clock;
  using entity_key = std::pair<std::string, std::string>; // type, key
  struct active_entity {
    caf::actor actor;
    clock_type::time_point used;
  };
  // A message for a key that is moving, delivered when it has settled; or a claim of it, answered then.
  struct held {
    caf::response_promise rp; // calls and claims
    bool call;
    std::int32_t hops;
    caf::message msg;
    caf::actor claimer; // set for a claim
    caf::actor before;  // where the forwarding region saw the key before this one owned it (or none)
  };

  caf::actor self() { return caf::actor_cast<caf::actor>(this); }

  template <class Atom> void in_group(Atom change, const std::string& type) {
    request(scope_, timeout_, change, type, self()).then([](bool) {}, [](caf::error&) {});
  }

  // Routing (region_routing.cpp). The hosts of each type, from the group's events:
  void add_host(const std::string& type, const caf::actor& region);
  // The owner of k among its hosts but `except` (none when invalid); invalid when there is none.
  caf::actor owner_of(const entity_key& k, const caf::actor& except = {});
  void route(const entity_key& k, held h);
  void deliver(const entity_key& k, held& h);

  // Within the outbound budget of region's node (dist_send.hpp): past it this region is held, handling
  // nothing else until there is room, so what a fast sender sends meanwhile waits in this node's mailbox
  // rather than without bound in front of the link. A call is delegated: its answer goes to its caller.
  // The hop names the key's owner by this region's view without `region` (see route).
  void forward(const caf::actor& region, const entity_key& k, held& h);

  // Starts k with `state` unless it is active already (a take and a claim's answer may both come).
  void activate(const entity_key& k, const std::string& state);

  // Delivers, in order, what was held for k while it moved here.
  void flush(const entity_key& k);

  // Keys leaving (region_handoff.cpp).
  // A region wants k: its state when k is active here (k is given up), nothing when k is not here. While k
  // moves (this region gives it up, or claims it itself) the claim waits: "nothing" at once could make the
  // claimer start k fresh beside the instance on its way.
  void answer_claim(const entity_key& k, held h);

  // Stops k after the messages it has (taking its state when its type hands off), calls `done` with the
  // state, then sends `to` what was held for k meanwhile (after whatever `done` sent it).
  template <class F> void give_up(const entity_key& k, const caf::actor& to, F done);

  // Gives k to its owner `to` (ent_take); `acked` runs when `to` has it (or did not answer).
  void hand_over(
      const entity_key& k, const caf::actor& to, std::function<void()> acked = [] {});

  // A graceful stop: every active entity to its owner among the other hosts (acknowledged), then out of the
  // groups; answers true when done.
  caf::result<bool> leave();
  // Idle keys end after their type's `idle` time, checked each tick.
  bool passivates() const;
  std::chrono::milliseconds tick_interval() const;
  void passivate_idle();

  const runtime::node* node_;
  caf::actor scope_;
  std::chrono::milliseconds timeout_;
  std::map<std::string, std::shared_ptr<const entity_type>> types_;
  std::map<std::string, std::vector<std::pair<caf::actor, std::string>>> hosts_; // region, its node id
  std::map<entity_key, active_entity> active_;
  std::map<caf::actor_addr, entity_key> by_actor_;
  std::set<caf::actor_addr> spawned_; // every entity until its exit reaches this region (the link's)
  std::map<entity_key, std::vector<held>> moving_;
  std::map<std::string, entity_figures> figures_;
  bool leaving_ = false;
};

} // namespace plugnode::runtime::detail
