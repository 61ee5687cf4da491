// The node agent: its life (exit only on this node's word, the tick, the down messages), the peers' life
// cycle (nodeup, nodedown, who hears of it), and the agent protocol, grouped by who may ask. The handshake,
// connecting and heartbeats are parts of their own (see agent.hpp).
#include "agent/node_agent.hpp"

#include <algorithm>
#include <memory>

#include <caf/actor_system.hpp>
#include <caf/io/middleman.hpp>
#include <caf/response_promise.hpp>

#include "agent/agent.hpp"
#include "agent/agent_access.hpp"
#include "agent/registry.hpp"
#include "dist/broker_end.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/net/socket_drop.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::runtime::detail {

caf::duration until(clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  return caf::duration{std::max(left, std::chrono::milliseconds(1))};
}

bool allowed(agent* self, access who) {
  auto& sender = self->current_sender();
  if (!sender)
    return false;
  if (sender->node() == self->node())
    return true;
  return who == access::cluster && self->state.table.trusted(sender->node());
}

caf::response_promise refuse(agent* self) {
  auto& sender = self->current_sender();
  if (sender) {
    auto& content = self->current_mailbox_element()->content();
    auto what = content.size() > 0 && content.match_element<caf::atom_value>(0)
                    ? to_string(content.get_as<caf::atom_value>(0))
                    : std::string("a message");
    drop_node(self, sender->node(),
              "refused " + what + " from a node that has not authenticated; dropping it");
  }
  return self->make_response_promise(); // never delivered: no answer at all
}

void drop_node(agent* self, const caf::node_id& nid, std::string why) {
  auto gone = [why] {
    if (!why.empty())
      logger().warn("{} (peer address unknown: no direct connection, or already gone)", why);
  };
  self->request(self->state.cfg.middleman, std::chrono::seconds(2), caf::get_atom_v, nid)
      .then(
          [why, gone](const caf::node_id&, const std::string& address, std::uint16_t port) {
            // CAF answers with an empty address for a node it reaches only through another node (BASP
            // routes messages indirectly): nothing to drop here.
            if (address.empty())
              return gone();
            if (!why.empty())
              logger().warn("{} (peer {}:{})", why, address, port);
            net::shutdown_connections_to(address, port);
          },
          [gone](const caf::error&) { gone(); });
}

// CAF's demonitor removes every monitor this actor holds on `who`, so it may only run once neither a peer
// nor a pending handshake still watches that agent (when two nodes dial each other at once, both entries
// hold the same proxy; dropping the peer's monitor would hide its death until the heartbeat timeout).
void unwatch(agent* self, const caf::actor& who) {
  if (!self->state.table.refers_to(who))
    self->demonitor(who);
}

void notify(agent* self, const caf::message& event) {
  for (auto& who : self->state.subscribers)
    self->send(who, event);
}

namespace {

std::string canonical_name(const std::string& name) {
  auto parsed = node_name::parse(name);
  return parsed ? parsed->to_string() : name;
}

// Tells every peer this node is leaving and answers once they all acknowledged (or a short bound passed).
caf::response_promise leave(agent* self) {
  auto rp = self->make_response_promise();
  auto& peers = self->state.table.peers();
  auto left = std::make_shared<std::size_t>(peers.size());
  if (*left == 0) {
    rp.deliver(true);
    return rp;
  }
  auto acknowledged = [=](auto&&...) mutable {
    if (--*left == 0)
      rp.deliver(true);
  };
  for (auto& [name, p] : peers)
    self->request(p.agent, std::chrono::milliseconds(500), dist_leave_atom_v)
        .then([=](bool) mutable { acknowledged(); }, [=](const caf::error&) mutable { acknowledged(); });
  return rp;
}

void on_down(agent* self, const caf::down_msg& down) {
  if (on_agent_down(self, down))
    return;
  auto& subs = self->state.subscribers;
  subs.erase(std::remove_if(subs.begin(), subs.end(), [&](auto& s) { return s.address() == down.source; }),
             subs.end());
}

// What peers may ask each other, besides the heartbeat.
caf::message_handler peer_handlers(agent* self) {
  return guarded(
      self, access::cluster,
      [self](dist_leave_atom) -> caf::result<bool> {
        if (auto name = self->state.table.name_of(self->current_sender()->node())) {
          auto gone = *name; // remove_peer erases the entry `name` points into
          remove_peer(self, gone, "peer leaving", false);
        }
        return true;
      },
      [self](whereis_atom, const std::string& name) {
        auto rp = self->make_response_promise();
        rp.delegate(self->state.registry, whereis_atom_v, name);
        return rp;
      },
      [self](call_atom, const std::string& name, const caf::message& msg) {
        auto rp = self->make_response_promise();
        rp.delegate(self->state.registry, call_atom_v, name, msg);
        return rp;
      });
}

// The agent protocol (agent_protocol.hpp) for this node's actors and the authenticated peers.
caf::message_handler public_handlers(agent* self) {
  return guarded(
      self, access::cluster,
      [self](caf::connect_atom, const std::string& name) {
        auto rp = self->make_response_promise();
        connect_to(self, name, [rp](bool ok) mutable { rp.deliver(ok); });
        return rp;
      },
      [self](caf::connect_atom, const connect_target& target) {
        auto rp = self->make_response_promise();
        connect_to(self, target, [rp](bool ok) mutable { rp.deliver(ok); });
        return rp;
      },
      [self](caf::ping_atom, const std::string& name) {
        auto rp = self->make_response_promise();
        auto canonical = canonical_name(name);
        connect_to(self, name, [self, rp, canonical](bool ok) mutable {
          auto p = self->state.table.find(canonical);
          if (ok && self->state.table.is_beam(canonical)) {
            rp.delegate(self->state.beam.front, caf::ping_atom_v, canonical); // net_adm:ping's is_auth
            return;
          }
          if (!ok || !p) {
            rp.deliver(ok && canonical == self->state.cfg.self);
            return;
          }
          self->request(p->agent, self->state.cfg.failure_bound, dist_beat_atom_v, std::uint64_t{0})
              .then([rp](std::uint64_t) mutable { rp.deliver(true); },
                    [rp](const caf::error&) mutable { rp.deliver(false); });
        });
        return rp;
      },
      [self](agent_atom, const std::string& name) {
        auto rp = self->make_response_promise();
        auto canonical = canonical_name(name);
        connect_to(self, name, [self, rp, canonical](bool) mutable {
          auto& failures = self->state.last_failure;
          if (auto p = self->state.table.find(canonical))
            rp.deliver(p->agent);
          else if (auto why = failures.find(canonical); why != failures.end())
            rp.deliver(make_runtime_error(runtime_errc::connect_failed, why->second));
          else
            rp.deliver(make_runtime_error(runtime_errc::connect_failed, canonical));
        });
        return rp;
      },
      [self](nodes_atom) { return self->state.table.all_visible_names(); },
      [self](nodes_atom, hidden_atom) { return self->state.table.hidden_names(); },
      [self](nodes_atom, kinds_atom) {
        auto& table = self->state.table;
        auto& beam = table.beam_names();
        return node_kinds{table.all_visible_names(), table.hidden_names(), {beam.begin(), beam.end()}};
      },
      [self](disconnect_atom, const std::string& name) {
        auto rp = self->make_response_promise();
        auto canonical = canonical_name(name);
        if (self->state.table.is_beam(canonical)) {
          rp.delegate(self->state.beam.front, disconnect_atom_v, canonical);
          return rp;
        }
        if (!self->state.table.find(canonical)) {
          rp.deliver(false);
          return rp;
        }
        remove_peer(self, canonical, "disconnect requested", true);
        rp.deliver(true);
        return rp;
      },
      [self](monitor_nodes_atom, const caf::actor& who) {
        if (who) {
          self->state.subscribers.push_back(who);
          self->monitor(who);
        }
        auto rp = self->make_response_promise();
        rp.deliver(caf::unit);
        return rp;
      },
      [self](cluster_atom) { return self->state.table.report(clock::now()); },
      [self](whereis_atom, const std::string& name, const std::string& node) {
        auto rp = self->make_response_promise();
        auto canonical = canonical_name(node);
        auto& st = self->state;
        if (canonical == st.cfg.self) {
          self->request(st.registry, st.cfg.failure_bound, whereis_atom_v, name)
              .then([rp, self](
                        const caf::actor& who) mutable { rp.deliver(self->state.cfg.directory->held(who)); },
                    [rp, name, canonical](caf::error&) mutable {
                      rp.deliver(make_runtime_error(runtime_errc::unknown_name, name + " on " + canonical));
                    });
          return rp;
        }
        auto p = st.table.find(canonical);
        if (!p) {
          rp.deliver(make_runtime_error(runtime_errc::unknown_node, canonical));
          return rp;
        }
        // Held (held_proxy.hpp): a plain send to what whereis found is held by the peer's budget.
        self->request(p->agent, st.cfg.failure_bound, whereis_atom_v, name)
            .then([rp,
                   self](const caf::actor& who) mutable { rp.deliver(self->state.cfg.directory->held(who)); },
                  [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      });
}

// What only this node's own actors may ask: leaving, and naming actors.
caf::message_handler local_handlers(agent* self) {
  auto to_registry = [self](auto... xs) {
    auto rp = self->make_response_promise();
    rp.delegate(self->state.registry, xs...);
    return rp;
  };
  return guarded(
      self, access::local, [self](caf::leave_atom) { return leave(self); },
      [to_registry](register_atom, const std::string& name, const caf::actor& who) {
        return to_registry(register_atom_v, name, who);
      },
      [to_registry](unregister_atom, const std::string& name) {
        return to_registry(unregister_atom_v, name);
      });
}

caf::behavior node_agent(agent* self, agent_settings settings) {
  end_like_an_actor(self); // else a tick due after its exit would keep it, and all it knew, for ever
  self->state.cfg = std::move(settings);
  self->state.registry = spawn_registry(self);
  self->set_down_handler([self](caf::down_msg& down) { on_down(self, down); });
  // Nothing a peer sends may stop the agent: stray messages and errors are dropped, and only this node
  // (or the system, anonymously) can make it exit.
  self->set_default_handler(caf::drop);
  self->set_error_handler([](caf::error&) {});
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!msg.source || msg.source.node() == self->node())
      self->quit(msg.reason);
  });
  start_heartbeats(self);
  return handshake_handlers(self)
      .or_else(heartbeat_handlers(self))
      .or_else(peer_handlers(self))
      .or_else(public_handlers(self))
      .or_else(local_handlers(self))
      .or_else(beam_handlers(self));
}

} // namespace

void add_peer(agent* self, const std::string& name, connected_peer p) {
  auto& st = self->state;
  if (auto old = st.table.find(name)) {
    if (old->nid == p.nid && old->incarnation == p.incarnation)
      return; // both sides connected at once: one node, one nodeup
    // Same name, new start (or a new connection from a restarted node that CAF may even see under the old
    // node id): the old incarnation is gone.
    remove_peer(self, name, "connection closed", old->nid != p.nid);
  }
  self->monitor(p.agent);
  bool hidden = p.hidden;
  log_fields(spdlog::level::info, {{"node", name}, {"peer", p.address}},
             fmt::format("nodeup {} at {}{}", name, p.address, hidden ? " [hidden]" : ""));
  st.cfg.directory->set(name, p.agent);
  st.table.add(name, std::move(p));
  if (!hidden)
    notify(self, caf::make_message(nodeup_atom_v, name));
  // A node that authenticated through its own dial answers this node's connects to it at once: when both
  // dialled at once, this side's own handshake may have lost its connection and would only end at the
  // hello's patience.
  finish_connect(self, name, true);
}

void remove_peer(agent* self, const std::string& name, const std::string& reason, bool drop_connection) {
  auto gone = self->state.table.remove(name);
  if (!gone)
    return;
  self->state.cfg.directory->erase(name);
  unwatch(self, gone->agent);
  log_fields(spdlog::level::info, {{"node", name}, {"reason", reason}},
             fmt::format("nodedown {} ({}){}", name, reason, gone->hidden ? " [hidden]" : ""));
  if (!gone->hidden)
    notify(self, caf::make_message(nodedown_atom_v, name, reason));
  if (drop_connection)
    drop_node(self, gone->nid, "");
}

caf::actor spawn_node_agent(caf::actor_system& system, agent_settings settings) {
  return system.middleman().spawn_broker(node_agent, std::move(settings));
}

} // namespace plugnode::runtime::detail
