// Keys leaving the entity region: a claim answered with the state, a hand-over to the key's new owner,
// the graceful stop that hands every key on, and passivation of idle keys (region_actor.hpp).
#include "entities/region_actor.hpp"

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/entities.hpp"
#include "plugnode/runtime/groups.hpp"

namespace plugnode::runtime::detail {

void region_actor::answer_claim(const entity_key& k, held h) {
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

template <class F> void region_actor::give_up(const entity_key& k, const caf::actor& to, F done) {
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

void region_actor::hand_over(const entity_key& k, const caf::actor& to, std::function<void()> acked) {
  give_up(k, to, [this, k, to, acked](const std::string& state) {
    request(to, timeout_, ent_take_atom_v, k.first, k.second, state)
        .then([acked](bool) { acked(); }, [acked](caf::error&) { acked(); });
  });
}

caf::result<bool> region_actor::leave() {
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

bool region_actor::passivates() const {
  for (auto& [name, type] : types_)
    if (type->idle.count() > 0)
      return true;
  return false;
}

std::chrono::milliseconds region_actor::tick_interval() const {
  auto shortest = std::chrono::milliseconds::max();
  for (auto& [name, type] : types_)
    if (type->idle.count() > 0)
      shortest = std::min(shortest, type->idle);
  return std::max(std::chrono::milliseconds(50), shortest / 2);
}

void region_actor::passivate_idle() {
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

} // namespace plugnode::runtime::detail
