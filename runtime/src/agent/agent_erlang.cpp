// The agent's BEAM part: with the Erlang side on, the agent is still the one place that connects, lists and
// reports nodes, whatever protocol they speak. A name to connect is first looked up in the EPMD of its host
// (the side's probe, protocol_side.hpp): a BEAM node is dialled by the Erlang side, anything else by
// plugnode's own dial. The Erlang side reports BEAM nodes coming and going (also those that dialled in); the
// agent keeps their names and passes the events on to its own subscribers, so discovery, the shell and
// services see one cluster.
#include <algorithm>

#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>

#include "agent/agent.hpp"
#include "agent/agent_access.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/protocol_side.hpp"

namespace plugnode::runtime::detail {
namespace {

// An EPMD answer is a few bytes from a host already resolved: a second is plenty, and keeps a host that
// drops packets on the EPMD port from eating the whole connect deadline.
constexpr std::chrono::milliseconds probe_bound{1000};

void beam_up(agent* self, const std::string& name) {
  if (!self->state.table.add_beam(name))
    return;
  log_fields(spdlog::level::info, {{"node", name}}, fmt::format("nodeup {} [erlang]", name));
  notify(self, caf::make_message(nodeup_atom_v, name));
}

void beam_down(agent* self, const std::string& name, const std::string& reason) {
  if (!self->state.table.remove_beam(name))
    return;
  log_fields(spdlog::level::info, {{"node", name}, {"reason", reason}},
             fmt::format("nodedown {} ({}) [erlang]", name, reason));
  notify(self, caf::make_message(nodedown_atom_v, name, reason));
}

void connect_beam(agent* self, const dial_attempt& attempt, std::uint16_t dist_port) {
  auto where = attempt.address + ":" + std::to_string(dist_port);
  self->request(self->state.beam.front, until(attempt.deadline), caf::connect_atom_v, attempt.node,
                attempt.address, dist_port)
      .then(
          [=](bool up) {
            if (!up)
              return fail_connect(self, attempt.node,
                                  "Erlang's handshake with the BEAM node at " + where +
                                      " failed (a wrong cookie?)");
            beam_up(self, attempt.node);
            finish_connect(self, attempt.node, true);
          },
          [=](const caf::error& err) { fail_connect(self, attempt.node, self->system().render(err)); });
}

} // namespace

void dial_by_protocol(agent* self, const dial_attempt& attempt) {
  auto& beam = self->state.beam;
  if (!beam.front)
    return dial(self, attempt);
  auto bound =
      std::clamp(std::chrono::duration_cast<std::chrono::milliseconds>(attempt.deadline - clock::now()),
                 std::chrono::milliseconds(1), probe_bound);
  self->request(beam.prober, bound + std::chrono::seconds(1), probe_atom_v, attempt.address, attempt.node,
                bound)
      .then(
          [=](bool is_beam_node, std::uint16_t dist_port) {
            if (is_beam_node)
              connect_beam(self, attempt, dist_port);
            else
              dial(self, attempt);
          },
          [=](const caf::error&) { dial(self, attempt); });
}

caf::message_handler beam_handlers(agent* self) {
  // Plain handlers, not guarded ones: these are one-way messages, and a guarded handler's answer would go
  // back to the Erlang side as an unexpected message. Only this node may attach, only the front report.
  auto from_front = [self] {
    return self->current_sender() == caf::actor_cast<caf::strong_actor_ptr>(self->state.beam.front);
  };
  return {[self](side_atom, const caf::actor& front, const caf::actor& prober) {
            if (!allowed(self, access::local))
              return;
            self->state.beam.front = front;
            self->state.beam.prober = prober;
            self->send(front, monitor_nodes_atom_v, caf::actor_cast<caf::actor>(self));
          },
          [self, from_front](nodeup_atom, const std::string& name) {
            if (from_front())
              beam_up(self, name);
          },
          [self, from_front](nodedown_atom, const std::string& name, const std::string& reason) {
            if (from_front())
              beam_down(self, name, reason);
          }};
}

} // namespace plugnode::runtime::detail
