// The agent handshake, both sides: after a connection is up (and, without TLS, after the wire handshake
// proved the cookie), the two agents exchange names, incarnations, hidden flags, cookie proofs (the only
// cookie check under mutual TLS) and their visible peers. An inbound node stays in the table's first stage
// (awaiting_proof) until its proof checks out.
#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>

#include "agent/agent.hpp"
#include "agent/agent_access.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/handshake.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::runtime::detail {
namespace {

using std::chrono::milliseconds;

// How long one hello waits for its answer before the node is dialled again (within the connect deadline).
// When two nodes dial each other at once, CAF 0.17 keeps one of the two connections, and a hello sent
// over the other can vanish (seen with 16 nodes starting together): without a new dial the connect only
// failed at its deadline, seconds later, although dialling again succeeds at once.
constexpr milliseconds hello_patience{1000};

caf::response_promise on_hello(agent* self, const std::string& name, std::uint64_t incarnation, bool hidden,
                               const std::string& challenge, const caf::actor& their_agent) {
  // Read the sender first: making the response promise moves it out of the mailbox element.
  auto& sender = self->current_sender();
  auto parsed = node_name::parse(name);
  if (!sender || !their_agent || !parsed || sender->node() == self->node())
    return refuse(self);
  auto nid = sender->node();
  auto rp = self->make_response_promise();
  auto& st = self->state;
  auto my_challenge = make_challenge();
  auto me = st.cfg.self;
  auto proof = handshake_proof(st.cfg.cookie, handshake_role::responder, challenge, my_challenge, me, name);
  auto replaced = st.table.await_proof(nid, awaiting_proof{parsed->to_string(), incarnation, hidden,
                                                           challenge, my_challenge, their_agent, "",
                                                           clock::now() + st.cfg.connect_timeout});
  self->monitor(their_agent);
  if (replaced)
    unwatch(self, replaced->agent);
  // The peer's address first, then the answer: the peer can only authenticate after it, so its nodeup line
  // and /cluster always have the address.
  auto answer = [self, rp, nid, me, incarnation = st.cfg.incarnation, my_challenge, proof]() mutable {
    if (auto p = self->state.table.awaiting(nid))
      p->answered = clock::now();
    rp.deliver(me, incarnation, my_challenge, proof);
  };
  self->request(st.cfg.middleman, std::chrono::seconds(2), caf::get_atom_v, nid)
      .then(
          [self, answer](const caf::node_id& id, const std::string& address, std::uint16_t port) mutable {
            if (auto p = self->state.table.awaiting(id))
              p->address = address + ":" + std::to_string(port);
            answer();
          },
          [answer](const caf::error&) mutable { answer(); });
  return rp;
}

caf::response_promise on_auth(agent* self, const std::string& proof,
                              const std::vector<std::string>& their_peers) {
  auto& sender = self->current_sender();
  auto& st = self->state;
  auto p = sender ? st.table.take_awaiting(sender->node()) : std::nullopt;
  if (!p) {
    // Both nodes dialled each other at once and this side's own dial finished first (add_peer ends the
    // pending hello): the node is authenticated, so its dial succeeds too. Refusing here dropped the
    // connection and left the peer waiting for its connect deadline.
    if (sender && st.table.trusted(sender->node())) {
      auto rp = self->make_response_promise();
      rp.deliver(st.table.visible_names());
      return rp;
    }
    return refuse(self);
  }
  auto nid = sender->node();
  unwatch(self, p->agent);
  auto expected = handshake_proof(st.cfg.cookie, handshake_role::initiator, p->my_challenge,
                                  p->their_challenge, p->name, st.cfg.self);
  if (!proofs_equal(expected, proof)) {
    drop_node(self, nid, "refused node " + p->name + ": wrong cookie proof");
    return self->make_response_promise(); // no answer
  }
  auto rp = self->make_response_promise();
  auto now = clock::now();
  // The first round trip, measured by the handshake itself: /cluster has one before the first heartbeat.
  auto rtt = std::chrono::duration_cast<std::chrono::microseconds>(now - p->answered).count();
  add_peer(self, p->name,
           connected_peer{p->agent, nid, p->incarnation, p->hidden || st.cfg.hidden, p->address, now, now,
                          p->answered == clock::time_point{} ? -1 : rtt});
  rp.deliver(st.table.visible_names());
  if (!p->hidden)
    meet(self, their_peers);
  return rp;
}

} // namespace

void authenticate(agent* self, const dial_attempt& attempt, const caf::node_id& nid,
                  const caf::actor& remote) {
  auto& cfg = self->state.cfg;
  auto my_challenge = make_challenge();
  auto me = cfg.self;
  auto& target = attempt.node;
  auto& deadline = attempt.deadline;
  self->request(remote, until(std::min(deadline, clock::now() + hello_patience)), dist_hello_atom_v, me,
                cfg.incarnation, cfg.hidden, my_challenge, caf::actor_cast<caf::actor>(self))
      .then(
          [=](const std::string& their_name, std::uint64_t incarnation, const std::string& their_challenge,
              const std::string& their_proof) {
            auto& c = self->state.cfg;
            if (their_name != target) {
              drop_node(self, nid,
                        "node at " + attempt.address + " calls itself " + their_name + ", not " + target);
              return fail_connect(self, target, "wrong node at that address");
            }
            auto expected = handshake_proof(c.cookie, handshake_role::responder, my_challenge,
                                            their_challenge, their_name, me);
            if (!proofs_equal(expected, their_proof)) {
              drop_node(self, nid,
                        "refused node " + target + ": its cookie proof is wrong (different cookie?)");
              return fail_connect(self, target, "cookie mismatch");
            }
            auto my_proof = handshake_proof(c.cookie, handshake_role::initiator, their_challenge,
                                            my_challenge, me, their_name);
            auto sent = clock::now();
            self->request(remote, until(deadline), dist_auth_atom_v, my_proof,
                          self->state.table.visible_names())
                .then(
                    [=](const std::vector<std::string>& their_peers) {
                      auto now = clock::now();
                      auto rtt = std::chrono::duration_cast<std::chrono::microseconds>(now - sent).count();
                      add_peer(self, target,
                               connected_peer{remote, nid, incarnation, self->state.cfg.hidden,
                                              attempt.address + ":" + std::to_string(attempt.port), now, now,
                                              rtt});
                      finish_connect(self, target, true);
                      meet(self, their_peers);
                    },
                    [=](const caf::error& err) {
                      fail_connect(self, target, "refused by the peer (" + self->system().render(err) + ")");
                    });
          },
          [=](const caf::error& err) {
            if (err == caf::sec::request_timeout && clock::now() < deadline) {
              logger().info("connect {}: no handshake answer within {} ms, dialling again", target,
                            hello_patience.count());
              return dial(self, attempt);
            }
            fail_connect(self, target, "no handshake answer (" + self->system().render(err) + ")");
          });
}

caf::message_handler handshake_handlers(agent* self) {
  return {
      [self](dist_hello_atom, const std::string& name, std::uint64_t incarnation, bool hidden,
             const std::string& challenge, const caf::actor& their_agent) {
        return on_hello(self, name, incarnation, hidden, challenge, their_agent);
      },
      [self](dist_auth_atom, const std::string& proof, const std::vector<std::string>& their_peers) {
        return on_auth(self, proof, their_peers);
      },
  };
}

void expire_handshakes(agent* self, clock::time_point now) {
  for (auto& [nid, p] : self->state.table.take_expired(now)) {
    if (!self->state.table.trusted(nid)) // else it authenticated as well by dialling this node
      drop_node(self, nid, "node " + p.name + " did not authenticate in time (wrong cookie?)");
    unwatch(self, p.agent);
  }
}

} // namespace plugnode::runtime::detail
