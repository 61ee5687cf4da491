// Heartbeats and failure detection: every heartbeat_interval the agent sends each peer a heartbeat request
// (its answer gives the RTT and last-seen); a peer silent for failure_bound is down ("heartbeat timeout") and
// its connection is dropped; any traffic from a peer counts as hearing from it (peer_traffic.hpp). A closed
// connection shows sooner, as the down message of the peer's agent
// ("connection closed"). The same tick ends the inbound handshakes that missed their deadline.
#include <algorithm>

#include "agent/agent.hpp"
#include "agent/agent_access.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugnode::runtime::detail {
namespace {

void heartbeat(agent* self) {
  auto& st = self->state;
  auto now = clock::now();
  // Any byte from a peer is a sign of life: on a busy link its heartbeat answer queues behind data.
  for (auto& [name, p] : st.table.peers())
    if (st.cfg.directory->heard_from(name))
      st.table.heard_from(p.nid, now);
  auto silent = st.table.silent(now, st.cfg.failure_bound);
  auto stamp = static_cast<std::uint64_t>(now.time_since_epoch().count());
  for (auto& [name, p] : st.table.peers()) {
    if (std::find(silent.begin(), silent.end(), name) != silent.end())
      continue;
    auto peer_name = name;
    self->request(p.agent, st.cfg.failure_bound, dist_beat_atom_v, stamp)
        .then(
            [self, peer_name](std::uint64_t echoed) {
              auto sent = clock::time_point(clock::duration(static_cast<clock::rep>(echoed)));
              self->state.table.record_round_trip(peer_name, sent, clock::now());
            },
            [](const caf::error&) {});
  }
  for (auto& name : silent)
    remove_peer(self, name, "heartbeat timeout", true);
  expire_handshakes(self, now);
  self->delayed_send(self, st.cfg.heartbeat_interval, caf::tick_atom_v);
}

} // namespace

void start_heartbeats(agent* self) {
  // Through the clock, not the mailbox: a broker that ends before it ever ran (a start that failed to
  // listen) leaks a message it sent itself, and itself with it.
  self->delayed_send(self, self->state.cfg.heartbeat_interval, caf::tick_atom_v);
}

caf::message_handler heartbeat_handlers(agent* self) {
  return caf::message_handler{
      [self](caf::tick_atom) {
        auto& sender = self->current_sender();
        if (!sender || sender->node() == self->node())
          heartbeat(self);
      },
  }
      .or_else(guarded(self, access::cluster,
                       [self](dist_beat_atom, std::uint64_t stamp) -> caf::result<std::uint64_t> {
                         self->state.table.heard_from(self->current_sender()->node(), clock::now());
                         return stamp;
                       }));
}

bool on_agent_down(agent* self, const caf::down_msg& down) {
  auto& st = self->state;
  if (auto name = st.table.name_with_agent(down.source)) {
    auto gone = *name; // remove_peer erases the entry `name` points into
    remove_peer(self, gone, "connection closed", false);
    return true;
  }
  if (auto p = st.table.take_awaiting_with_agent(down.source)) {
    logger().warn("node {} (peer {}) closed the connection before authenticating (wrong cookie?)", p->name,
                  p->address.empty() ? "address not known yet" : p->address);
    return true;
  }
  return false;
}

} // namespace plugnode::runtime::detail
