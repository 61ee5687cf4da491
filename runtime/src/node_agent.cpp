// The node agent: connects (with a deadline), authenticates peers with the cookie handshake, keeps the node
// table, meets every node its peers know (the full mesh CAF's automatic connections do not give on
// loopback), detects dead and frozen peers with heartbeats, and answers the agent protocol.
#include "node_agent.hpp"

#include <map>
#include <memory>
#include <set>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/response_promise.hpp>
#include <caf/stateful_actor.hpp>

#include "dist_dialer.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/handshake.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/node_name.hpp"
#include "socket_drop.hpp"

namespace plugnode::runtime::detail {
namespace {

using clock = std::chrono::steady_clock;
using std::chrono::duration_cast;
using std::chrono::milliseconds;

struct peer {
  caf::actor agent;
  caf::node_id nid;
  std::uint64_t incarnation = 0;
  bool hidden = false;
  std::string address;
  clock::time_point up_since;
  clock::time_point last_seen;
  std::int64_t rtt_us = -1;
};

// An inbound handshake between hello and auth.
struct pending_peer {
  std::string name;
  std::uint64_t incarnation = 0;
  bool hidden = false;
  std::string their_challenge;
  std::string my_challenge;
  caf::actor agent;
  std::string address;
  clock::time_point deadline;
};

struct agent_state {
  agent_settings cfg;
  std::map<std::string, peer> peers;
  std::map<caf::node_id, std::string> trusted; // authenticated node -> its name
  std::map<caf::node_id, pending_peer> pending;
  std::map<std::string, std::vector<std::function<void(bool)>>> connecting;
  std::vector<caf::actor> subscribers;
  std::map<std::string, caf::actor> registry;
  static inline const char* name = "plugnode.node_agent";
};

// A broker without connections, so the agent runs on the middleman's I/O thread, where BASP deserialises what
// peers send (with node_options::fast_scheduler): a peer's request reaches it and its answer reaches the BASP
// broker without a hand-over to a scheduler thread (two wake-ups less per round trip; docs/benchmarks.md).
// Its handlers are short; the host resolver, which may block, runs on a thread of its own.
using agent = caf::io::stateful_broker<agent_state>;

caf::duration until(clock::time_point deadline) {
  auto left = duration_cast<milliseconds>(deadline - clock::now());
  return caf::duration{std::max(left, milliseconds(1))};
}

std::vector<std::string> visible_names(const agent_state& st) {
  std::vector<std::string> names;
  for (auto& [name, p] : st.peers)
    if (!p.hidden)
      names.push_back(name);
  return names;
}

// The sender's node, when the sender may use the agent: this node, or one that authenticated.
bool trusted_sender(agent* self) {
  auto& sender = self->current_sender();
  if (!sender)
    return false;
  return sender->node() == self->node() || self->state.trusted.count(sender->node()) > 0;
}

bool local_sender(agent* self) {
  auto& sender = self->current_sender();
  return sender && sender->node() == self->node();
}

// Asks CAF where `nid` is connected from, then logs `why` (if any) with that address and drops the
// connection.
void drop_node(agent* self, const caf::node_id& nid, std::string why) {
  self->request(self->state.cfg.middleman, std::chrono::seconds(2), caf::get_atom_v, nid)
      .then(
          [why](const caf::node_id&, const std::string& address, std::uint16_t port) {
            if (!why.empty())
              logger().warn("{} (peer {}:{})", why, address, port);
            if (!address.empty())
              shutdown_connections_to(address, port);
          },
          [why](const caf::error&) {
            if (!why.empty())
              logger().warn("{} (peer address unknown, already gone)", why);
          });
}

// Refuses a message from a node that has not authenticated: logged, dropped, never answered.
caf::response_promise refuse(agent* self, const char* what) {
  auto& sender = self->current_sender();
  if (sender)
    drop_node(self, sender->node(),
              std::string("refused ") + what + " from a node that has not authenticated; dropping it");
  return self->make_response_promise(); // never delivered: no answer at all
}

void notify(agent* self, const caf::message& event) {
  for (auto& who : self->state.subscribers)
    self->send(who, event);
}

// CAF's demonitor removes every monitor this actor holds on `who`, so it may only run once neither a peer
// nor a pending handshake still watches that agent (when two nodes dial each other at once, both entries
// hold the same proxy; dropping the peer's monitor would hide its death until the heartbeat timeout).
void unwatch(agent* self, const caf::actor& who) {
  auto& st = self->state;
  for (auto& [name, p] : st.peers)
    if (p.agent == who)
      return;
  for (auto& [nid, p] : st.pending)
    if (p.agent == who)
      return;
  self->demonitor(who);
}

void remove_peer(agent* self, const std::string& name, const std::string& reason, bool drop_connection) {
  auto i = self->state.peers.find(name);
  if (i == self->state.peers.end())
    return;
  auto gone = std::move(i->second);
  self->state.peers.erase(i);
  self->state.cfg.directory->erase(name);
  self->state.trusted.erase(gone.nid);
  unwatch(self, gone.agent);
  log_fields(spdlog::level::info, {{"node", name}, {"reason", reason}},
             fmt::format("nodedown {} ({}){}", name, reason, gone.hidden ? " [hidden]" : ""));
  if (!gone.hidden)
    notify(self, caf::make_message(nodedown_atom_v, name, reason));
  if (drop_connection)
    drop_node(self, gone.nid, "");
}

void connect_to(agent* self, const std::string& name, std::function<void(bool)> done);

// Connects to every visible node a peer knows that this node does not (Erlang's transitive full mesh).
void meet(agent* self, const std::vector<std::string>& names) {
  if (self->state.cfg.hidden)
    return;
  for (auto& name : names)
    if (name != self->state.cfg.self && self->state.peers.count(name) == 0)
      connect_to(self, name, [](bool) {});
}

void add_peer(agent* self, const std::string& name, peer p) {
  auto& st = self->state;
  if (auto i = st.peers.find(name); i != st.peers.end()) {
    if (i->second.nid == p.nid && i->second.incarnation == p.incarnation)
      return; // both sides connected at once: one node, one nodeup
    // Same name, new start (or a new connection from a restarted node that CAF may even see under the old
    // node id): the old incarnation is gone.
    remove_peer(self, name, "connection closed", i->second.nid != p.nid);
  }
  st.pending.erase(p.nid);
  st.trusted[p.nid] = name;
  self->monitor(p.agent);
  bool hidden = p.hidden;
  log_fields(spdlog::level::info, {{"node", name}, {"peer", p.address}},
             fmt::format("nodeup {} at {}{}", name, p.address, hidden ? " [hidden]" : ""));
  st.cfg.directory->set(name, p.agent);
  st.peers.emplace(name, std::move(p));
  if (!hidden)
    notify(self, caf::make_message(nodeup_atom_v, name));
}

void finish_connect(agent* self, const std::string& name, bool ok) {
  auto i = self->state.connecting.find(name);
  if (i == self->state.connecting.end())
    return;
  auto waiting = std::move(i->second);
  self->state.connecting.erase(i);
  for (auto& done : waiting)
    done(ok);
}

void fail_connect(agent* self, const std::string& name, const std::string& why) {
  // Discovery and meet() retry an unreachable node for as long as it is listed: rate-limited per node.
  log_limited(spdlog::level::info, "failed connects", name, fmt::format("connect {} failed: {}", name, why),
              {{"node", name}, {"reason", why}});
  finish_connect(self, name, false);
}

void dial(agent* self, const std::string& target, const std::string& address, clock::time_point deadline);

// How long one hello waits for its answer before the node is dialled again (within the connect deadline).
// When two nodes dial each other at once, CAF 0.17 keeps one of the two connections, and a hello sent
// over the other can vanish (seen with 16 nodes starting together): without a new dial the connect only
// failed at its deadline, seconds later, although dialling again succeeds at once.
constexpr milliseconds hello_patience{1000};

// Initiator side of the handshake, once CAF has a connection and the peer's agent handle.
void authenticate(agent* self, const std::string& target, const caf::node_id& nid, const caf::actor& remote,
                  const std::string& address, clock::time_point deadline) {
  auto& cfg = self->state.cfg;
  auto my_challenge = make_challenge();
  auto me = cfg.self;
  self->request(remote, until(std::min(deadline, clock::now() + hello_patience)), dist_hello_atom_v, me,
                cfg.incarnation, cfg.hidden, my_challenge, caf::actor_cast<caf::actor>(self))
      .then(
          [=](const std::string& their_name, std::uint64_t incarnation, const std::string& their_challenge,
              const std::string& their_proof) {
            auto& c = self->state.cfg;
            if (their_name != target) {
              drop_node(self, nid, "node at " + address + " calls itself " + their_name + ", not " + target);
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
            self->request(remote, until(deadline), dist_auth_atom_v, my_proof, visible_names(self->state))
                .then(
                    [=](const std::vector<std::string>& their_peers) {
                      auto now = clock::now();
                      add_peer(self, target,
                               peer{remote, nid, incarnation, self->state.cfg.hidden, address, now, now, -1});
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
              return dial(self, target, address, deadline);
            }
            fail_connect(self, target, "no handshake answer (" + self->system().render(err) + ")");
          });
}

void dial(agent* self, const std::string& target, const std::string& address, clock::time_point deadline) {
  // Never CAF's blocking remote_actor: it waits forever on a frozen peer. Without TLS not CAF's connect
  // either, which would speak BASP before anyone proved the cookie: the dialer authenticates the connection
  // first and hands it to BASP only then. With mutual TLS, CAF's TLS connect: the peer's certificate is
  // checked before BASP starts. The timed request can time out while BASP still completes the connection
  // later; the agent handshake then never follows, so the peer never becomes a node.
  auto connected = [=](const caf::node_id& nid, const caf::strong_actor_ptr& ptr,
                       const std::set<std::string>&) {
    if (!ptr)
      return fail_connect(self, target, "no agent published at " + address);
    if (nid == self->node())
      return fail_connect(self, target, address + " is this node");
    authenticate(self, target, nid, caf::actor_cast<caf::actor>(ptr), address, deadline);
  };
  auto failed = [=](const caf::error& err) { fail_connect(self, target, self->system().render(err)); };
  auto& cfg = self->state.cfg;
  if (cfg.tls) {
    self->request(cfg.middleman, until(deadline), caf::connect_atom_v, address, cfg.port)
        .then(connected, failed);
    return;
  }
  auto dialer = spawn_dialer(self->system(), dial_settings{cfg.self, cfg.cookie, cfg.basp}, deadline);
  self->request(dialer, until(deadline), caf::connect_atom_v, target, address, cfg.port)
      .then(connected, failed);
}

// Runs the (possibly blocking) host resolver on a thread of its own, then dials the first address.
void resolve_and_dial(agent* self, const node_name& target, clock::time_point deadline) {
  auto name = target.to_string();
  if (is_ip_address(target.host()))
    return dial(self, name, target.host(), deadline);
  // The resolver goes in as a spawn argument, not a capture: CAF 0.17 dereferences a null argument tuple
  // when a function actor is spawned without arguments (undefined behaviour UBSan stops on).
  auto worker = self->spawn<caf::detached>(
      [](caf::event_based_actor* me, host_resolver lookup) -> caf::behavior {
        return {
            [me, lookup](caf::get_atom, const std::string& host) -> caf::result<std::vector<std::string>> {
              me->quit();
              auto found = lookup(host);
              if (found.addresses.empty())
                return make_runtime_error(runtime_errc::connect_failed, found.error);
              return found.addresses;
            }};
      },
      self->state.cfg.resolver);
  self->request(worker, until(deadline), caf::get_atom_v, target.host())
      .then([=](const std::vector<std::string>& addresses) { dial(self, name, addresses.front(), deadline); },
            [=](const caf::error& err) { fail_connect(self, name, self->system().render(err)); });
}

void connect_to(agent* self, const std::string& name, std::function<void(bool)> done) {
  auto& st = self->state;
  std::string error;
  auto target = node_name::parse(name, &error);
  if (!target) {
    logger().info("connect {}: {}", name, error);
    return done(false);
  }
  auto canonical = target->to_string();
  if (canonical == st.cfg.self || st.peers.count(canonical) > 0)
    return done(true);
  auto& waiting = st.connecting[canonical];
  waiting.push_back(std::move(done));
  if (waiting.size() == 1)
    resolve_and_dial(self, *target, clock::now() + st.cfg.connect_timeout);
}

std::string canonical_name(const std::string& name) {
  auto parsed = node_name::parse(name);
  return parsed ? parsed->to_string() : name;
}

void heartbeat(agent* self) {
  auto& st = self->state;
  auto now = clock::now();
  std::vector<std::string> silent;
  for (auto& [name, p] : st.peers) {
    if (now - p.last_seen > st.cfg.failure_bound) {
      silent.push_back(name);
      continue;
    }
    auto stamp = static_cast<std::uint64_t>(now.time_since_epoch().count());
    auto peer_name = name;
    self->request(p.agent, st.cfg.failure_bound, dist_beat_atom_v, stamp)
        .then(
            [self, peer_name](std::uint64_t echoed) {
              auto i = self->state.peers.find(peer_name);
              if (i == self->state.peers.end())
                return;
              auto back = clock::now();
              auto sent = clock::time_point(clock::duration(static_cast<clock::rep>(echoed)));
              i->second.rtt_us = duration_cast<std::chrono::microseconds>(back - sent).count();
              i->second.last_seen = back;
            },
            [](const caf::error&) {});
  }
  for (auto& name : silent)
    remove_peer(self, name, "heartbeat timeout", true);
  for (auto i = st.pending.begin(); i != st.pending.end();) {
    if (now > i->second.deadline) {
      auto nid = i->first;
      auto who = i->second.agent;
      if (st.trusted.count(nid) == 0) // else it authenticated as well by dialling this node
        drop_node(self, nid, "node " + i->second.name + " did not authenticate in time (wrong cookie?)");
      i = st.pending.erase(i);
      unwatch(self, who);
    } else {
      ++i;
    }
  }
  self->delayed_send(self, st.cfg.heartbeat_interval, caf::tick_atom_v);
}

void on_down(agent* self, const caf::down_msg& down) {
  auto& st = self->state;
  for (auto& [name, p] : st.peers)
    if (p.agent.address() == down.source) {
      auto gone = name; // remove_peer erases the entry `name` refers to
      return remove_peer(self, gone, "connection closed", false);
    }
  for (auto i = st.pending.begin(); i != st.pending.end(); ++i)
    if (i->second.agent.address() == down.source) {
      logger().warn("node {} (peer {}) closed the connection before authenticating (wrong cookie?)",
                    i->second.name, i->second.address.empty() ? "address not known yet" : i->second.address);
      st.pending.erase(i);
      return;
    }
  auto& subs = st.subscribers;
  subs.erase(std::remove_if(subs.begin(), subs.end(), [&](auto& s) { return s.address() == down.source; }),
             subs.end());
  for (auto i = st.registry.begin(); i != st.registry.end();)
    i = i->second.address() == down.source ? st.registry.erase(i) : std::next(i);
}

// Tells every peer this node is leaving and answers once they all acknowledged (or a short bound passed).
caf::response_promise leave(agent* self) {
  auto rp = self->make_response_promise();
  auto& st = self->state;
  auto left = std::make_shared<std::size_t>(st.peers.size());
  if (*left == 0) {
    rp.deliver(true);
    return rp;
  }
  for (auto& [name, p] : st.peers)
    self->request(p.agent, std::chrono::milliseconds(500), dist_leave_atom_v)
        .then(
            [=](bool) mutable {
              if (--*left == 0)
                rp.deliver(true);
            },
            [=](const caf::error&) mutable {
              if (--*left == 0)
                rp.deliver(true);
            });
  return rp;
}

caf::behavior node_agent(agent* self, agent_settings settings) {
  self->state.cfg = std::move(settings);
  self->set_down_handler([self](caf::down_msg& down) { on_down(self, down); });
  // Nothing a peer sends may stop the agent: stray messages and errors are dropped, and only this node
  // (or the system, anonymously) can make it exit.
  self->set_default_handler(caf::drop);
  self->set_error_handler([](caf::error&) {});
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (!msg.source || msg.source.node() == self->node())
      self->quit(msg.reason);
  });
  // Through the clock, not the mailbox: a broker that ends before it ever ran (a start that failed to
  // listen) leaks a message it sent itself, and itself with it.
  self->delayed_send(self, self->state.cfg.heartbeat_interval, caf::tick_atom_v);
  return {
      // -- handshake: the only messages a node that has not authenticated gets an answer to
      [self](dist_hello_atom, const std::string& name, std::uint64_t incarnation, bool hidden,
             const std::string& challenge, const caf::actor& their_agent) -> caf::response_promise {
        // Read the sender first: making the response promise moves it out of the mailbox element.
        auto& sender = self->current_sender();
        auto parsed = node_name::parse(name);
        if (!sender || !their_agent || !parsed || sender->node() == self->node())
          return refuse(self, "a malformed hello");
        auto nid = sender->node();
        auto rp = self->make_response_promise();
        auto& st = self->state;
        auto my_challenge = make_challenge();
        auto me = st.cfg.self;
        auto proof =
            handshake_proof(st.cfg.cookie, handshake_role::responder, challenge, my_challenge, me, name);
        caf::actor replaced;
        if (auto old = st.pending.find(nid); old != st.pending.end())
          replaced = old->second.agent;
        st.pending[nid] =
            pending_peer{parsed->to_string(), incarnation, hidden, challenge,
                         my_challenge,        their_agent, "",     clock::now() + st.cfg.connect_timeout};
        self->monitor(their_agent);
        if (replaced)
          unwatch(self, replaced);
        self->request(st.cfg.middleman, std::chrono::seconds(2), caf::get_atom_v, nid)
            .then(
                [self](const caf::node_id& id, const std::string& address, std::uint16_t port) {
                  if (auto i = self->state.pending.find(id); i != self->state.pending.end())
                    i->second.address = address + ":" + std::to_string(port);
                },
                [](const caf::error&) {});
        rp.deliver(me, st.cfg.incarnation, my_challenge, proof);
        return rp;
      },
      [self](dist_auth_atom, const std::string& proof, const std::vector<std::string>& their_peers) {
        auto& sender = self->current_sender();
        auto& st = self->state;
        auto i = sender ? st.pending.find(sender->node()) : st.pending.end();
        if (i == st.pending.end()) {
          // Both nodes dialled each other at once and this side's own dial finished first (add_peer
          // ends the pending hello): the node is authenticated, so its dial succeeds too. Refusing here
          // dropped the connection and left the peer waiting for its connect deadline.
          if (sender && st.trusted.count(sender->node()) > 0) {
            auto rp = self->make_response_promise();
            rp.deliver(visible_names(st));
            return rp;
          }
          return refuse(self, "an authentication without a hello");
        }
        auto nid = i->first;
        auto p = std::move(i->second);
        st.pending.erase(i);
        unwatch(self, p.agent);
        auto expected = handshake_proof(st.cfg.cookie, handshake_role::initiator, p.my_challenge,
                                        p.their_challenge, p.name, st.cfg.self);
        if (!proofs_equal(expected, proof)) {
          drop_node(self, nid, "refused node " + p.name + ": wrong cookie proof");
          return self->make_response_promise(); // no answer
        }
        auto rp = self->make_response_promise();
        auto now = clock::now();
        add_peer(self, p.name,
                 peer{p.agent, nid, p.incarnation, p.hidden || st.cfg.hidden, p.address, now, now, -1});
        rp.deliver(visible_names(st));
        if (!p.hidden)
          meet(self, their_peers);
        return rp;
      },
      // -- between authenticated agents
      [self](dist_beat_atom, std::uint64_t stamp) -> caf::result<std::uint64_t> {
        if (!trusted_sender(self))
          return refuse(self, "a heartbeat");
        if (auto i = self->state.trusted.find(self->current_sender()->node()); i != self->state.trusted.end())
          self->state.peers[i->second].last_seen = clock::now();
        return stamp;
      },
      [self](dist_leave_atom) -> caf::result<bool> {
        if (!trusted_sender(self))
          return refuse(self, "a leave notice");
        if (auto i = self->state.trusted.find(self->current_sender()->node());
            i != self->state.trusted.end()) {
          auto name = i->second;
          remove_peer(self, name, "peer leaving", false);
        }
        return true;
      },
      [self](caf::tick_atom) {
        if (self->current_sender() == nullptr || local_sender(self))
          heartbeat(self);
      },
      // -- the agent protocol
      [self](caf::connect_atom, const std::string& name) {
        if (!trusted_sender(self))
          return refuse(self, "a connect request");
        auto rp = self->make_response_promise();
        connect_to(self, name, [rp](bool ok) mutable { rp.deliver(ok); });
        return rp;
      },
      [self](caf::ping_atom, const std::string& name) {
        if (!trusted_sender(self))
          return refuse(self, "a ping");
        auto rp = self->make_response_promise();
        auto canonical = canonical_name(name);
        connect_to(self, name, [self, rp, canonical](bool ok) mutable {
          auto i = self->state.peers.find(canonical);
          if (!ok || i == self->state.peers.end()) {
            rp.deliver(ok && canonical == self->state.cfg.self);
            return;
          }
          self->request(i->second.agent, self->state.cfg.failure_bound, dist_beat_atom_v, std::uint64_t{0})
              .then([rp](std::uint64_t) mutable { rp.deliver(true); },
                    [rp](const caf::error&) mutable { rp.deliver(false); });
        });
        return rp;
      },
      [self](agent_atom, const std::string& name) {
        if (!trusted_sender(self))
          return refuse(self, "an agent lookup");
        auto rp = self->make_response_promise();
        auto canonical = canonical_name(name);
        connect_to(self, name, [self, rp, canonical](bool) mutable {
          auto i = self->state.peers.find(canonical);
          if (i == self->state.peers.end())
            rp.deliver(make_runtime_error(runtime_errc::connect_failed, canonical));
          else
            rp.deliver(i->second.agent);
        });
        return rp;
      },
      [self](nodes_atom) -> caf::result<std::vector<std::string>> {
        if (!trusted_sender(self))
          return refuse(self, "a nodes request");
        return visible_names(self->state);
      },
      [self](nodes_atom, hidden_atom) -> caf::result<std::vector<std::string>> {
        if (!trusted_sender(self))
          return refuse(self, "a nodes request");
        std::vector<std::string> names;
        for (auto& [name, p] : self->state.peers)
          if (p.hidden)
            names.push_back(name);
        return names;
      },
      [self](disconnect_atom, const std::string& name) -> caf::result<bool> {
        if (!trusted_sender(self))
          return refuse(self, "a disconnect request");
        auto canonical = canonical_name(name);
        if (self->state.peers.count(canonical) == 0)
          return false;
        remove_peer(self, canonical, "disconnect requested", true);
        return true;
      },
      [self](monitor_nodes_atom, const caf::actor& who) {
        if (!trusted_sender(self))
          return refuse(self, "a monitor request");
        if (who) {
          self->state.subscribers.push_back(who);
          self->monitor(who);
        }
        auto rp = self->make_response_promise();
        rp.deliver(caf::unit);
        return rp;
      },
      [self](cluster_atom) -> caf::result<std::vector<peer_info>> {
        if (!trusted_sender(self))
          return refuse(self, "a cluster request");
        auto now = clock::now();
        std::vector<peer_info> out;
        for (auto& [name, p] : self->state.peers)
          out.push_back(peer_info{name, p.hidden, p.address, p.rtt_us,
                                  duration_cast<milliseconds>(now - p.last_seen).count(),
                                  duration_cast<milliseconds>(now - p.up_since).count(), p.incarnation});
        return out;
      },
      [self](caf::leave_atom) {
        if (!local_sender(self))
          return refuse(self, "a leave request");
        return leave(self);
      },
      // -- registry
      [self](register_atom, const std::string& name, const caf::actor& who) -> caf::result<bool> {
        if (!local_sender(self))
          return refuse(self, "a register request");
        auto& reg = self->state.registry;
        if (!who || (reg.count(name) > 0 && reg[name] != who))
          return false;
        reg[name] = who;
        self->monitor(who);
        return true;
      },
      [self](unregister_atom, const std::string& name) -> caf::result<bool> {
        if (!local_sender(self))
          return refuse(self, "an unregister request");
        return self->state.registry.erase(name) > 0;
      },
      [self](whereis_atom, const std::string& name) -> caf::result<caf::actor> {
        if (!trusted_sender(self))
          return refuse(self, "a whereis request");
        auto i = self->state.registry.find(name);
        if (i == self->state.registry.end())
          return make_runtime_error(runtime_errc::unknown_name, name);
        return i->second;
      },
      [self](whereis_atom, const std::string& name, const std::string& node) {
        if (!trusted_sender(self))
          return refuse(self, "a whereis request");
        auto rp = self->make_response_promise();
        auto canonical = canonical_name(node);
        if (canonical == self->state.cfg.self) {
          auto i = self->state.registry.find(name);
          if (i == self->state.registry.end())
            rp.deliver(make_runtime_error(runtime_errc::unknown_name, name + " on " + canonical));
          else
            rp.deliver(i->second);
          return rp;
        }
        auto p = self->state.peers.find(canonical);
        if (p == self->state.peers.end()) {
          rp.deliver(make_runtime_error(runtime_errc::unknown_node, canonical));
          return rp;
        }
        self->request(p->second.agent, self->state.cfg.failure_bound, whereis_atom_v, name)
            .then([rp](const caf::actor& who) mutable { rp.deliver(who); },
                  [rp](caf::error& err) mutable { rp.deliver(std::move(err)); });
        return rp;
      },
  };
}

} // namespace

caf::actor spawn_node_agent(caf::actor_system& system, agent_settings settings) {
  return system.middleman().spawn_broker(node_agent, std::move(settings));
}

} // namespace plugnode::runtime::detail
