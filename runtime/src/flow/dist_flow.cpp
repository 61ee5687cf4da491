// The flow actor of the outbound budgets; see dist_flow.hpp.
#include "flow/dist_flow.hpp"

#include <caf/actor_system.hpp>
#include <caf/io/broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/send.hpp>

#include "dist/broker_end.hpp"
#include "plugnode/runtime/agent_protocol.hpp"

namespace plugnode::runtime::detail {
namespace {

void wake(const budget_ptr& budget, bool room) {
  for (auto& w : budget->release())
    w.promise.deliver(room);
}

// The BASP broker has processed everything up to `position` on the node's meter: the budgets whose
// senders waited on it go on when they have room.
void caught_up(const meter_ptr& meter, std::uint64_t position) {
  for (auto& budget : meter->processed(position))
    if (budget->recheck())
      wake(budget, true);
}

void mark(caf::io::broker* self, budget_ptr budget, caf::actor peer, std::uint64_t position,
          std::chrono::milliseconds patience) {
  self->request(peer, patience, dist_beat_atom_v, position)
      .then(
          [budget](std::uint64_t confirmed) {
            if (budget->credit(confirmed))
              wake(budget, true);
          },
          [=](const caf::error&) {
            // Unanswered in time: ask again about everything still unconfirmed, so a lost mark can never
            // hold a sender for good. A closed budget (the peer is gone) needs nothing.
            if (budget->closed())
              return;
            if (auto again = budget->unconfirmed())
              mark(self, budget, peer, again, patience);
          });
}

caf::behavior dist_flow(caf::io::broker* self, std::chrono::milliseconds patience, caf::actor basp) {
  end_like_an_actor(self);
  self->set_default_handler(caf::drop);
  self->set_error_handler([](caf::error&) {});
  return {
      [=](flow_mark_atom, budget_ptr& budget, caf::actor& peer, std::uint64_t position) {
        if (budget && peer && !budget->closed())
          mark(self, std::move(budget), std::move(peer), position, patience);
      },
      [=](flow_probe_atom, budget_ptr& budget, std::uint64_t position) {
        // Asked even for a closed budget: other peers' senders may wait on the same meter.
        if (!budget || !budget->meter())
          return;
        auto meter = budget->meter();
        // Any request the broker answers will do: it answers in mailbox order. This one it answers at once
        // (for no node: no socket to look at), so it needs no timeout, whose arming and cancelling on
        // CAF's clock thread cost two wake-ups there per probe; an error (the broker is gone) counts as
        // processed, so a probe never holds a sender for good.
        self->request(basp, caf::infinite, caf::get_atom_v, caf::node_id{})
            .then([meter, position](const caf::node_id&, const std::string&,
                                    std::uint16_t) { caught_up(meter, position); },
                  [meter, position](const caf::error&) { caught_up(meter, position); });
      },
      [=](flow_wait_atom, budget_ptr& budget) -> caf::result<bool> {
        if (!budget || budget->has_room())
          return true;
        budget->hold({self->make_response_promise(), std::chrono::steady_clock::now()});
        return caf::delegated<bool>();
      },
      [=](flow_locate_atom, traffic_ptr& traffic, const caf::node_id& peer) {
        self->request(basp, patience, caf::get_atom_v, peer)
            .then(
                [traffic](const caf::node_id&, const std::string& address, std::uint16_t port) {
                  if (!address.empty())
                    traffic->locate(address, port);
                },
                [](const caf::error&) {});
      },
      [=](flow_close_atom, budget_ptr& budget) {
        if (!budget)
          return;
        budget->close();
        wake(budget, false);
      },
  };
}

} // namespace

void request_confirmations(const caf::actor& flow, const budget_ptr& budget, const caf::actor& agent,
                           const outbound_budget::charge_result& charged) {
  if (charged.mark)
    caf::anon_send(flow, flow_mark_atom_v, budget, agent, charged.mark);
  if (charged.probe)
    caf::anon_send(flow, flow_probe_atom_v, budget, charged.probe);
}

caf::actor spawn_dist_flow(caf::actor_system& system, std::chrono::milliseconds patience, caf::actor basp) {
  return system.middleman().spawn_broker(dist_flow, patience, std::move(basp));
}

} // namespace plugnode::runtime::detail
