// The agent handshake, both sides: after a connection is up (and, without TLS, after the wire handshake
// proved the cookie), the two agents exchange names, incarnations, hidden flags, cookie proofs (the only
// cookie check under mutual TLS) and their visible peers. As in the wire handshake, the dialler proves first:
// the hello's answer is only a random challenge, and the responder's proof comes with the answer to a proof
// that checked out. An inbound node stays in the table's first stage (awaiting_proof) until then; one whose
// proof was wrong stays there, refused, for a while before its connection is dropped.
#include <caf/actor_cast.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/response_promise.hpp>

#include "agent/agent.hpp"
#include "agent/agent_access.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/handshake.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::runtime::detail {
namespace {

using std::chrono::milliseconds;

// How long one hello waits for its answer before the node is dialled again (within the connect deadline).
// When two nodes dial each other at once, CAF 0.17 keeps one of the two connections, and a hello sent
// over the other can vanish (seen with 16 nodes starting together): without a new dial the connect only
// failed at its deadline, seconds later, although dialling again succeeds at once.
constexpr milliseconds hello_patience{1000};
// How long a node whose proof was wrong waits before its connection is dropped (rounded up to the next
// heartbeat tick, which drops it): each guess at the cookie costs its sender this.
constexpr milliseconds wrong_proof_delay{750};

caf::response_promise on_hello(agent* self, const std::string& name, std::uint64_t incarnation, bool hidden,
                               const caf::actor& their_agent) {
  // Read the sender first: making the response promise moves it out of the mailbox element.
  auto& sender = self->current_sender();
  auto parsed = node_name::parse(name);
  if (!sender || !their_agent || !parsed || sender->node() == self->node())
    return refuse(self);
  auto nid = sender->node();
  auto& st = self->state;
  // A refused node waits out its delay: a new hello on the same connection would be a new guess at once.
  if (auto held = st.table.awaiting(nid); held && !held->refused.empty())
    return refuse(self);
  auto rp = self->make_response_promise();
  auto my_challenge = make_challenge();
  auto replaced =
      st.table.await_proof(nid, awaiting_proof{parsed->to_string(), incarnation, hidden, my_challenge, "",
                                               their_agent, "", clock::now() + st.cfg.connect_timeout});
  self->monitor(their_agent);
  if (replaced)
    unwatch(self, replaced->agent);
  // The peer's address first, then the answer: the peer can only authenticate after it, so its nodeup line
  // and /cluster always have the address.
  // Nothing derived from the cookie before the dialler's proof.
  auto answer = [self, rp, nid, me = st.cfg.self, incarnation = st.cfg.incarnation, my_challenge]() mutable {
    if (auto p = self->state.table.awaiting(nid))
      p->answered = clock::now();
    rp.deliver(me, incarnation, my_challenge);
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

caf::response_promise on_auth(agent* self, const std::string& their_challenge, const std::string& proof,
                              const std::vector<std::string>& their_peers) {
  auto& sender = self->current_sender();
  auto& st = self->state;
  auto p = sender ? st.table.take_awaiting(sender->node()) : std::nullopt;
  if (!p) {
    // Both nodes dialled each other at once and this side's own dial finished first (add_peer ends the
    // pending hello): the node is authenticated, so its dial succeeds too, without a proof from this side
    // (its own table trusts this node already: it accepted this side's proof first). Refusing here dropped
    // the connection and left the peer waiting for its connect deadline.
    if (sender && st.table.trusted(sender->node())) {
      auto rp = self->make_response_promise();
      rp.deliver(std::string(), st.table.visible_names());
      return rp;
    }
    return refuse(self);
  }
  auto nid = sender->node();
  auto expected = handshake_proof(st.cfg.cookie, handshake_role::initiator, p->my_challenge, their_challenge,
                                  p->name, st.cfg.self);
  if (!p->refused.empty() || their_challenge.empty() || !proofs_equal(expected, proof)) {
    if (p->refused.empty()) {
      p->refused = "refused node " + p->name + ": wrong cookie proof";
      p->deadline = clock::now() + wrong_proof_delay;
    }
    st.table.await_proof(nid, std::move(*p)); // held; expire_handshakes drops it
    return self->make_response_promise();     // no answer
  }
  unwatch(self, p->agent);
  auto rp = self->make_response_promise();
  auto now = clock::now();
  // The first round trip, measured by the handshake itself: /cluster has one before the first heartbeat.
  auto rtt = std::chrono::duration_cast<std::chrono::microseconds>(now - p->answered).count();
  add_peer(self, p->name,
           connected_peer{p->agent, nid, p->incarnation, p->hidden || st.cfg.hidden, p->address, now, now,
                          p->answered == clock::time_point{} ? -1 : rtt});
  rp.deliver(handshake_proof(st.cfg.cookie, handshake_role::responder, their_challenge, p->my_challenge,
                             st.cfg.self, p->name),
             st.table.visible_names());
  if (!p->hidden)
    meet(self, their_peers);
  return rp;
}

} // namespace

void authenticate(agent* self, const dial_attempt& attempt, const caf::node_id& nid,
                  const caf::actor& remote) {
  auto& cfg = self->state.cfg;
  auto me = cfg.self;
  auto& target = attempt.node;
  auto& deadline = attempt.deadline;
  self->request(remote, until(std::min(deadline, clock::now() + hello_patience)), dist_hello_atom_v, me,
                cfg.incarnation, cfg.hidden, caf::actor_cast<caf::actor>(self))
      .then(
          [=](const std::string& their_name, std::uint64_t incarnation, const std::string& their_challenge) {
            auto& c = self->state.cfg;
            if (their_name != target) {
              drop_node(self, nid,
                        "node at " + attempt.address + " calls itself " + their_name + ", not " + target);
              return fail_connect(self, target, "wrong node at that address");
            }
            auto my_challenge = make_challenge();
            auto my_proof = handshake_proof(c.cookie, handshake_role::initiator, their_challenge,
                                            my_challenge, me, their_name);
            auto sent = clock::now();
            self->request(remote, until(deadline), dist_auth_atom_v, my_challenge, my_proof,
                          self->state.table.visible_names())
                .then(
                    [=](const std::string& their_proof, const std::vector<std::string>& their_peers) {
                      auto expected = handshake_proof(self->state.cfg.cookie, handshake_role::responder,
                                                      my_challenge, their_challenge, their_name, me);
                      // No proof: the peer had authenticated this node through its own dial already (see
                      // on_auth), which this side accepts only if it trusts the peer too. If it does not
                      // (any more), a new hello gets a fresh challenge and, with it, a proof.
                      if (their_proof.empty() && !self->state.table.trusted(nid)) {
                        if (clock::now() < deadline)
                          return dial(self, attempt);
                        return fail_connect(self, target, "no cookie proof from the peer in time");
                      }
                      if (!their_proof.empty() && !proofs_equal(expected, their_proof)) {
                        drop_node(self, nid,
                                  "refused node " + target +
                                      ": its cookie proof is wrong (different cookie?)");
                        return fail_connect(self, target, "cookie mismatch");
                      }
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
                      fail_connect(self, target,
                                   "refused by the peer (" + self->system().render(err) + "; wrong cookie?)");
                    });
          },
          [=](const caf::error& err) {
            // The peer authenticated meanwhile through its own dial of this node (add_peer answered the
            // connect): nothing to dial again for.
            if (self->state.table.find(target))
              return finish_connect(self, target, true);
            // When two nodes dial each other at once, the connection a dial's handshake started on can
            // close under it: its hello then goes unanswered (a timeout), or the agent proxy the dial
            // returned is gone before the hello leaves (request_receiver_down, seen in connect_test). A new
            // dial reaches the connection that stays; the lost proxy is retried once, the timeout for as
            // long as the deadline allows.
            bool lost = err == caf::sec::request_receiver_down && !attempt.redialled_lost;
            if ((err == caf::sec::request_timeout || lost) && clock::now() < deadline) {
              logger().info("connect {}: {}, dialling again", target,
                            lost ? "the connection closed under the handshake"
                                 : fmt::format("no handshake answer within {} ms", hello_patience.count()));
              auto again = attempt;
              again.redialled_lost = again.redialled_lost || lost;
              return dial(self, again);
            }
            fail_connect(self, target, "no handshake answer (" + self->system().render(err) + ")");
          });
}

caf::message_handler handshake_handlers(agent* self) {
  return {
      [self](dist_hello_atom, const std::string& name, std::uint64_t incarnation, bool hidden,
             const caf::actor& their_agent) {
        return on_hello(self, name, incarnation, hidden, their_agent);
      },
      [self](dist_auth_atom, const std::string& their_challenge, const std::string& proof,
             const std::vector<std::string>& their_peers) {
        return on_auth(self, their_challenge, proof, their_peers);
      },
  };
}

void expire_handshakes(agent* self, clock::time_point now) {
  for (auto& [nid, p] : self->state.table.take_expired(now)) {
    if (!p.refused.empty()) {
      // The source is the peer's host (the address CAF reported, port cut off), as the listener counts it.
      auto host = p.address.substr(0, p.address.rfind(':'));
      log_limited(spdlog::level::warn, "failed cookie proofs", host.empty() ? "unknown peer" : host,
                  p.refused + " (peer " + (p.address.empty() ? "address unknown" : p.address) + ")",
                  {{"peer", p.address}, {"node", p.name}, {"reason", p.refused}});
      drop_node(self, nid, "");                 // logged here, through the limiter: a client can cause this
    } else if (!self->state.table.trusted(nid)) // else it authenticated as well by dialling this node
      drop_node(self, nid, "node " + p.name + " did not authenticate in time (wrong cookie?)");
    unwatch(self, p.agent);
  }
}

} // namespace plugnode::runtime::detail
