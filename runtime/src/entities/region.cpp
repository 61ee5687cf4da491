// The entity region; see region.hpp and plugnode/runtime/entities.hpp.
#include "entities/region.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/message_handler.hpp>

#include "entities/rendezvous.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/dist_send.hpp"
#include "plugnode/runtime/entities.hpp"
#include "plugnode/runtime/groups.hpp"

namespace plugnode::runtime::detail {
namespace {

using clock_type = std::chrono::steady_clock;
using ent_stop_atom = caf::atom_constant<caf::atom("ent_stop")>;
constexpr ent_stop_atom ent_stop_atom_v{};

// One entity: the type's behaviour, and a stop the region sends after what it already handed it.
caf::behavior entity_main(caf::event_based_actor* self, std::shared_ptr<const entity_type> type,
                          std::string key, std::string state) {
  caf::message_handler user{type->start(self, key, state).as_behavior_impl()};
  return user.or_else([self](ent_stop_atom) { self->quit(); });
}

class region_actor final : public caf::event_based_actor {
public:
  region_actor(caf::actor_config& cfg, region_settings settings)
      : caf::event_based_actor(cfg), node_(settings.home), scope_(std::move(settings.scope)),
        timeout_(settings.timeout) {
    for (auto& t : settings.types) {
      auto name = t.name;
      figures_[name].type = name;
      types_[name] = std::make_shared<const entity_type>(std::move(t));
    }
  }
  const char* name() const override { return "plugnode.entities.region"; }

  caf::behavior make_behavior() override {
    set_default_handler(caf::drop);
    // caf::drop answers a stray message with an error; one arriving here must not stop this actor either.
    set_error_handler([](caf::error&) {});
    // Entities are linked so that they end with the region. One that ends, crashed or not, never ends the
    // region (a crashed key starts fresh on next use: the down handler); an exit from anything else does.
    set_exit_handler([this](caf::exit_msg& exit) {
      if (spawned_.erase(exit.source) == 0 && exit.reason)
        quit(std::move(exit.reason));
    });
    set_down_handler([this](caf::down_msg& down) {
      auto i = by_actor_.find(down.source);
      if (i == by_actor_.end())
        return;
      active_.erase(i->second); // it crashed: the key starts fresh on next use
      by_actor_.erase(i);
    });
    for (auto& [name, type] : types_)
      add_host(name, self()); // serving its own types at once, before its join's event
    request(scope_, timeout_, pg_monitor_atom_v, self())
        .then(
            [this](const std::vector<group_members>& all) {
              for (auto& entry : all)
                for (auto& region : entry.members)
                  add_host(entry.group, region);
              for (auto& [name, type] : types_)
                in_group(pg_join_atom_v, name);
            },
            [](caf::error&) {});
    if (passivates())
      delayed_send(this, tick_interval(), caf::tick_atom_v);
    return {
        [this](ent_call_atom, const std::string& type, const std::string& key, std::int32_t hops,
               caf::message& msg) {
          auto rp = make_response_promise();
          route({type, key}, held{rp, true, hops, std::move(msg), {}, {}});
          return rp;
        },
        [this](ent_call_atom, const std::string& type, const std::string& key, std::int32_t hops,
               caf::message& msg, const caf::actor& before) {
          auto rp = make_response_promise();
          route({type, key}, held{rp, true, hops, std::move(msg), {}, before});
          return rp;
        },
        [this](ent_send_atom, const std::string& type, const std::string& key, std::int32_t hops,
               caf::message& msg) {
          route({type, key}, held{{}, false, hops, std::move(msg), {}, {}});
        },
        [this](ent_send_atom, const std::string& type, const std::string& key, std::int32_t hops,
               caf::message& msg, const caf::actor& before) {
          route({type, key}, held{{}, false, hops, std::move(msg), {}, before});
        },
        [this](ent_claim_atom, const std::string& type, const std::string& key) {
          // The claimer first: making the promise takes the sender out of the message.
          auto claimer = caf::actor_cast<caf::actor>(current_sender());
          auto rp = make_response_promise();
          answer_claim({type, key}, held{rp, false, 0, {}, std::move(claimer), {}});
          return rp;
        },
        [this](ent_take_atom, const std::string& type, const std::string& key, const std::string& state) {
          activate({type, key}, state);
          flush({type, key});
          return true;
        },
        [this](ent_leave_atom) { return leave(); },
        [this](ent_stats_atom) {
          std::vector<entity_figures> out;
          for (auto& [name, f] : figures_) {
            auto copy = f;
            copy.active = 0;
            for (auto& [k, e] : active_)
              copy.active += k.first == name ? 1 : 0;
            copy.hosts = hosts_[name].size();
            out.push_back(copy);
          }
          return out;
        },
        [this](pg_joined_atom, const std::string&, const std::string& type,
               const std::vector<caf::actor>& xs) {
          for (auto& region : xs)
            add_host(type, region);
        },
        [this](pg_left_atom, const std::string&, const std::string& type, const std::vector<caf::actor>& xs) {
          auto& list = hosts_[type];
          for (auto& region : xs)
            for (auto i = list.begin(); i != list.end(); ++i)
              if (i->first == region) {
                list.erase(i);
                break;
              }
        },
        [this](caf::tick_atom) {
          passivate_idle();
          delayed_send(this, tick_interval(), caf::tick_atom_v);
        },
    };
  }

  // No handle kept after the end (see the scope's on_exit); held calls get an error rather than no answer.
  void on_exit() override {
    for (auto& [k, list] : moving_)
      for (auto& h : list)
        if (h.call || h.claimer)
          h.rp.deliver(caf::make_error(caf::sec::request_receiver_down));
    moving_.clear();
    active_.clear();
    by_actor_.clear();
    spawned_.clear();
    hosts_.clear();
    scope_ = nullptr;
  }

private:
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

  // A region wants k: its state when k is active here (k is given up), nothing when k is not here. While k
  // moves (this region gives it up, or claims it itself) the claim waits: "nothing" at once could make the
  // claimer start k fresh beside the instance on its way.
  void answer_claim(const entity_key& k, held h) {
    if (auto m = moving_.find(k); m != moving_.end()) {
      m->second.push_back(std::move(h));
      return;
    }
    if (!active_.count(k)) {
      h.rp.deliver(std::vector<std::string>{});
      return;
    }
    auto rp = h.rp;
    give_up(k, h.claimer,
            [rp](const std::string& state) mutable { rp.deliver(std::vector<std::string>{state}); });
  }

  caf::actor self() { return caf::actor_cast<caf::actor>(this); }

  template <class Atom> void in_group(Atom change, const std::string& type) {
    request(scope_, timeout_, change, type, self()).then([](bool) {}, [](caf::error&) {});
  }

  void add_host(const std::string& type, const caf::actor& region) {
    auto& list = hosts_[type];
    for (auto& [known, name] : list)
      if (known == region)
        return; // this region, added at start before its own join event
    list.emplace_back(region, caf::to_string(region.node()));
  }

  // The owner of k among its hosts but `except` (none when invalid); invalid when there is none.
  caf::actor owner_of(const entity_key& k, const caf::actor& except = {}) {
    std::vector<std::string> names;
    std::vector<caf::actor> regions;
    for (auto& [region, name] : hosts_[k.first])
      if (!except || region != except) {
        regions.push_back(region);
        names.push_back(name);
      }
    auto i = rendezvous_owner(k.first, k.second, names);
    return i < 0 ? caf::actor{} : regions[static_cast<std::size_t>(i)];
  }

  void route(const entity_key& k, held h) {
    if (auto m = moving_.find(k); m != moving_.end()) {
      m->second.push_back(std::move(h));
      ++figures_[k.first].buffered;
      return;
    }
    auto owner = owner_of(k, leaving_ ? self() : caf::actor{});
    if (active_.count(k)) {
      if (owner && owner != self() && h.hops < 2) {
        // The key has a new owner (a host joined): it moves now, this message after it.
        moving_[k].push_back(std::move(h));
        ++figures_[k.first].buffered;
        hand_over(k, owner);
        return;
      }
      deliver(k, h);
      return;
    }
    if (owner && owner != self() && h.hops < 2) {
      forward(owner, k, h);
      return;
    }
    auto type = types_.find(k.first);
    if (type == types_.end()) {
      if (h.call)
        h.rp.deliver(make_runtime_error(runtime_errc::unknown_name, "no node hosts entity type " + k.first));
      return;
    }
    // Start here, after asking where the key lived before this region owned it: by this region's view and
    // by the forwarding region's. A node that has just joined is known to the others (who send it its keys)
    // before it knows them all; by its own view alone it would claim from the wrong host, hear "nothing"
    // and start the key fresh beside the live instance.
    std::vector<caf::actor> before;
    for (auto& region : {owner_of(k, self()), h.before})
      if (region && region != self() && std::find(before.begin(), before.end(), region) == before.end())
        before.push_back(region);
    if (before.empty()) {
      activate(k, std::string());
      deliver(k, h);
      return;
    }
    moving_[k].push_back(std::move(h));
    // At most one of them has it while the regions agreed; the key starts when each has answered.
    auto pending = std::make_shared<std::size_t>(before.size());
    auto state = std::make_shared<std::string>();
    auto answered = [this, k, pending, state](const std::vector<std::string>& given) {
      if (!given.empty() && state->empty())
        *state = given.front();
      if (--*pending > 0)
        return;
      activate(k, *state);
      flush(k);
    };
    for (auto& region : before)
      request(region, timeout_, ent_claim_atom_v, k.first, k.second)
          .then(answered,
                [answered](caf::error&) mutable { // its node is gone (or too slow): the state with it
                  answered({});
                });
  }

  void deliver(const entity_key& k, held& h) {
    auto& e = active_[k];
    e.used = clock_type::now();
    if (h.call)
      h.rp.delegate(e.actor, std::move(h.msg));
    else
      send(e.actor, std::move(h.msg));
  }

  // Within the outbound budget of region's node (dist_send.hpp): past it this region is held, handling
  // nothing else until there is room, so what a fast sender sends meanwhile waits in this node's mailbox
  // rather than without bound in front of the link. A call is delegated: its answer goes to its caller.
  // The hop names the key's owner by this region's view without `region` (see route).
  void forward(const caf::actor& region, const entity_key& k, held& h) {
    auto before = owner_of(k, region);
    if (h.call) {
      auto msg = caf::make_message(ent_call_atom_v, k.first, k.second, h.hops + 1, std::move(h.msg), before);
      auto target = detail::unheld(region); // a held handle would charge the hop itself, blocking this thread
      h.rp.delegate(target, msg);
      charge_sent(this, *node_, target, msg);
    } else {
      runtime::send(this, *node_, region, ent_send_atom_v, k.first, k.second, h.hops + 1, std::move(h.msg),
                    before);
    }
  }

  // Starts k with `state` unless it is active already (a take and a claim's answer may both come).
  void activate(const entity_key& k, const std::string& state) {
    if (active_.count(k))
      return;
    auto actor = spawn<caf::linked>(entity_main, types_.at(k.first), k.second, state);
    monitor(actor);
    spawned_.insert(actor.address());
    by_actor_[actor.address()] = k;
    active_[k] = {actor, clock_type::now()};
    ++figures_[k.first].activations;
  }

  // Delivers, in order, what was held for k while it moved here.
  void flush(const entity_key& k) {
    auto m = moving_.find(k);
    if (m == moving_.end())
      return;
    auto list = std::move(m->second);
    moving_.erase(m);
    for (auto& h : list)
      if (h.claimer)
        answer_claim(k, std::move(h));
      else
        route(k, std::move(h));
  }

  // Stops k after the messages it has (taking its state when its type hands off), calls `done` with the
  // state, then sends `to` what was held for k meanwhile (after whatever `done` sent it).
  template <class F> void give_up(const entity_key& k, const caf::actor& to, F done) {
    auto entity = active_[k].actor;
    active_.erase(k);
    by_actor_.erase(entity.address());
    demonitor(entity);
    moving_[k];
    ++figures_[k.first].handoffs;
    auto finish = [this, k, to, entity, done](const std::string& state) mutable {
      send(entity, ent_stop_atom_v);
      done(state);
      auto list = std::move(moving_[k]);
      moving_.erase(k);
      for (auto& h : list)
        if (!h.claimer)
          forward(to, k, h);
        else if (h.claimer == to)
          h.rp.deliver(std::vector<std::string>{}); // it has the state already (its take went just before)
        else
          h.rp.delegate(to, ent_claim_atom_v, k.first, k.second); // the claimer asks the new holder
    };
    if (!types_.at(k.first)->hands_off) {
      finish(std::string());
      return;
    }
    request(entity, timeout_, entity_handoff_atom_v)
        .then([finish](const std::string& state) mutable { finish(state); },
              [finish](caf::error&) mutable { finish(std::string()); });
  }

  // Gives k to its owner `to` (ent_take); `acked` runs when `to` has it (or did not answer).
  void hand_over(
      const entity_key& k, const caf::actor& to, std::function<void()> acked = [] {}) {
    give_up(k, to, [this, k, to, acked](const std::string& state) {
      request(to, timeout_, ent_take_atom_v, k.first, k.second, state)
          .then([acked](bool) { acked(); }, [acked](caf::error&) { acked(); });
    });
  }

  // A graceful stop: every active entity to its owner among the other hosts (acknowledged), then out of the
  // groups; answers true when done.
  caf::result<bool> leave() {
    leaving_ = true;
    auto rp = make_response_promise<bool>();
    auto pending = std::make_shared<std::size_t>(1); // released below, after every hand-off started
    auto release = [this, rp, pending]() mutable {
      if (--*pending > 0)
        return;
      for (auto& [name, type] : types_)
        in_group(pg_leave_atom_v, name);
      rp.deliver(true);
    };
    std::vector<entity_key> keys;
    for (auto& [k, e] : active_)
      keys.push_back(k);
    for (auto& k : keys) {
      auto to = owner_of(k, self());
      if (!to) {
        send(active_[k].actor, ent_stop_atom_v);
        continue;
      }
      ++*pending;
      hand_over(k, to, release);
    }
    release();
    return rp;
  }

  bool passivates() const {
    for (auto& [name, type] : types_)
      if (type->idle.count() > 0)
        return true;
    return false;
  }

  std::chrono::milliseconds tick_interval() const {
    auto shortest = std::chrono::milliseconds::max();
    for (auto& [name, type] : types_)
      if (type->idle.count() > 0)
        shortest = std::min(shortest, type->idle);
    return std::max(std::chrono::milliseconds(50), shortest / 2);
  }

  void passivate_idle() {
    auto now = clock_type::now();
    for (auto i = active_.begin(); i != active_.end();) {
      auto idle = types_.at(i->first.first)->idle;
      if (idle.count() > 0 && now - i->second.used > idle && !leaving_) {
        send(i->second.actor, ent_stop_atom_v); // after anything it still has
        demonitor(i->second.actor);
        by_actor_.erase(i->second.actor.address());
        ++figures_[i->first.first].passivations;
        i = active_.erase(i);
      } else {
        ++i;
      }
    }
  }

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

} // namespace

caf::actor spawn_region(caf::actor_system& system, region_settings settings) {
  return system.spawn<region_actor>(std::move(settings));
}

} // namespace plugnode::runtime::detail
