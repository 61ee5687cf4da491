// The entity region's routing: a key's message goes to the key when it is active here, to its owner when
// another host owns it, or waits while the key moves here (region_actor.hpp).
#include "entities/region_actor.hpp"

#include <algorithm>

#include <caf/message_handler.hpp>

#include "entities/rendezvous.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/dist_send.hpp"
#include "plugnode/runtime/entities.hpp"

namespace plugnode::runtime::detail {
namespace {

// One entity: the type's behaviour, and a stop the region sends after what it already handed it.
caf::behavior entity_main(caf::event_based_actor* self, std::shared_ptr<const entity_type> type,
                          std::string key, std::string state) {
  caf::message_handler user{type->start(self, key, state).as_behavior_impl()};
  return user.or_else([self](ent_stop_atom) { self->quit(); });
}

} // namespace

caf::actor region_actor::owner_of(const entity_key& k, const caf::actor& except) {
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

void region_actor::add_host(const std::string& type, const caf::actor& region) {
  auto& list = hosts_[type];
  for (auto& [known, name] : list)
    if (known == region)
      return; // this region, added at start before its own join event
  list.emplace_back(region, caf::to_string(region.node()));
}

void region_actor::route(const entity_key& k, held h) {
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

void region_actor::deliver(const entity_key& k, held& h) {
  auto& e = active_[k];
  e.used = clock_type::now();
  if (h.call)
    h.rp.delegate(e.actor, std::move(h.msg));
  else
    send(e.actor, std::move(h.msg));
}

void region_actor::forward(const caf::actor& region, const entity_key& k, held& h) {
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

void region_actor::activate(const entity_key& k, const std::string& state) {
  if (active_.count(k))
    return;
  auto actor = spawn<caf::linked>(entity_main, types_.at(k.first), k.second, state);
  monitor(actor);
  spawned_.insert(actor.address());
  by_actor_[actor.address()] = k;
  active_[k] = {actor, clock_type::now()};
  ++figures_[k.first].activations;
}

void region_actor::flush(const entity_key& k) {
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

} // namespace plugnode::runtime::detail
