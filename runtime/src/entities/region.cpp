// The entity region's messages and its life; see region.hpp, region_actor.hpp and
// plugnode/runtime/entities.hpp.
#include "entities/region_actor.hpp"

#include <caf/actor_system.hpp>

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/entities.hpp"
#include "plugnode/runtime/groups.hpp"

namespace plugnode::runtime::detail {

region_actor::region_actor(caf::actor_config& cfg, region_settings settings)
    : caf::event_based_actor(cfg), node_(settings.home), scope_(std::move(settings.scope)),
      timeout_(settings.timeout) {
  for (auto& t : settings.types) {
    auto name = t.name;
    figures_[name].type = name;
    types_[name] = std::make_shared<const entity_type>(std::move(t));
  }
}

caf::behavior region_actor::make_behavior() {
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
      [this](pg_joined_atom, const std::string&, const std::string& type, const std::vector<caf::actor>& xs) {
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

void region_actor::on_exit() {
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

caf::actor spawn_region(caf::actor_system& system, region_settings settings) {
  return system.spawn<region_actor>(std::move(settings));
}

} // namespace plugnode::runtime::detail