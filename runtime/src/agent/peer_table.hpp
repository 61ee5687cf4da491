// peer_table: the node agent's table of other nodes, as a plain value (no actor, no I/O), so its rules can be
// read and tested on their own. A node goes through two stages: an inbound handshake that said hello and
// waits for its proof (`awaiting_proof`, keyed by CAF's node id, since its name is only a claim until then),
// then an authenticated peer (`connected_peer`, keyed by its name). BEAM nodes are in it too, by name only:
// the Erlang side holds their connections, the table is the one place that says which nodes the cluster
// has and which protocol each speaks. The agent does the side effects (logs, monitors, nodeup/nodedown)
// around these calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/node_id.hpp>

#include "plugnode/runtime/agent_protocol.hpp"

namespace plugnode::runtime::detail {

using clock = std::chrono::steady_clock;

// Stage 1: a node dialled this one and said hello; it got this node's challenge and owes its proof. A node
// whose proof was wrong stays here, `refused`, until its deadline: then its connection is dropped, so a guess
// at the cookie costs its sender that wait.
struct awaiting_proof {
  std::string name; // canonical; a claim until the proof checks out
  std::uint64_t incarnation = 0;
  bool hidden = false;
  std::string my_challenge;
  std::string refused; // why its proof was refused; empty while it may still prove
  caf::actor agent;
  std::string address; // as the middleman reports it, before the hello is answered
  clock::time_point deadline;
  clock::time_point answered{}; // when the hello was answered: the proof comes one round trip later
};

// Stage 2: an authenticated node of the cluster.
struct connected_peer {
  caf::actor agent;
  caf::node_id nid;
  std::uint64_t incarnation = 0;
  bool hidden = false;
  std::string address;
  clock::time_point up_since;
  clock::time_point last_seen;
  std::int64_t rtt_us = -1;
};

class peer_table {
public:
  // -- stage 2: authenticated peers
  const connected_peer* find(const std::string& name) const;
  // Adds (or overwrites) `name`; ends the node's stage 1 if it had one, and trusts its node id.
  void add(const std::string& name, connected_peer p);
  // Removes `name` and no longer trusts its node id; nullopt when it was not there.
  std::optional<connected_peer> remove(const std::string& name);
  // The name an authenticated node id goes by, or nullptr.
  const std::string* name_of(const caf::node_id& nid) const;
  bool trusted(const caf::node_id& nid) const { return name_of(nid) != nullptr; }
  // The peer whose agent has this address (its down message names only the address), or nullptr.
  const std::string* name_with_agent(const caf::actor_addr& agent) const;
  // Something was heard from `nid` (it sent a heartbeat); false when that node is not a peer.
  bool heard_from(const caf::node_id& nid, clock::time_point now);
  // A heartbeat sent at `sent` came back at `back`.
  void record_round_trip(const std::string& name, clock::time_point sent, clock::time_point back);
  // Peers not heard from for longer than `bound`.
  std::vector<std::string> silent(clock::time_point now, std::chrono::milliseconds bound) const;
  std::vector<std::string> visible_names() const; // plugnode's own, sorted (what a handshake tells a peer)
  std::vector<std::string> hidden_names() const;
  std::vector<peer_info> report(clock::time_point now) const;
  const std::map<std::string, connected_peer>& peers() const { return peers_; }

  // -- stage 1: inbound handshakes
  awaiting_proof* awaiting(const caf::node_id& nid);
  // Starts (or restarts) the handshake of `nid`; returns the one it replaces.
  std::optional<awaiting_proof> await_proof(const caf::node_id& nid, awaiting_proof p);
  std::optional<awaiting_proof> take_awaiting(const caf::node_id& nid);
  std::optional<awaiting_proof> take_awaiting_with_agent(const caf::actor_addr& agent);
  // Removes and returns the handshakes whose deadline passed.
  std::vector<std::pair<caf::node_id, awaiting_proof>> take_expired(clock::time_point now);

  // -- BEAM nodes, reported up and down by the Erlang side
  bool add_beam(const std::string& name);    // false when it was there already
  bool remove_beam(const std::string& name); // false when it was not there
  bool is_beam(const std::string& name) const { return beam_.count(name) > 0; }
  const std::set<std::string>& beam_names() const { return beam_; }
  // A peer of either protocol, the question a connect asks before it dials.
  bool knows(const std::string& name) const { return find(name) != nullptr || is_beam(name); }
  // Every visible node of either protocol, sorted: what `nodes()` answers.
  std::vector<std::string> all_visible_names() const;

  // True while a peer or a handshake still refers to `agent` (monitors are per actor, not per entry).
  bool refers_to(const caf::actor& agent) const;

private:
  std::map<std::string, connected_peer> peers_;
  std::map<caf::node_id, std::string> trusted_; // authenticated node -> its name
  std::map<caf::node_id, awaiting_proof> awaiting_;
  std::set<std::string> beam_;
};

} // namespace plugnode::runtime::detail
