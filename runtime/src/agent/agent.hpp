// agent: the node agent's state and the steps its parts share. The parts: the peer table (peer_table.hpp),
// both sides of the agent handshake (agent_handshake.cpp), connecting (agent_connect.cpp), heartbeats and
// failure detection (agent_heartbeat.cpp), who may ask what (agent_access.hpp), and the public protocol with
// the peers' life cycle (node_agent.cpp). The name registry is an actor of its own (registry.hpp).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/duration.hpp>
#include <caf/io/broker.hpp>
#include <caf/message_handler.hpp>
#include <caf/node_id.hpp>

#include "agent/node_agent.hpp"
#include "agent/peer_table.hpp"
#include "plugnode/runtime/agent_protocol.hpp"

namespace plugnode::runtime::detail {

// The Erlang side, once it runs (agent_erlang.cpp); its nodes are in the peer table.
struct beam_side {
  caf::actor front;  // the side's front actor (protocol_side.hpp); invalid while it is off
  caf::actor prober; // and its prober, asked before each dial
};

struct agent_state {
  agent_settings cfg;
  beam_side beam;
  peer_table table;
  std::map<std::string, std::vector<std::function<void(bool)>>> connecting; // shared attempts, by name
  std::map<std::string, std::string> last_failure; // why the last attempt at a node failed, by name
  std::vector<caf::actor> subscribers;             // monitor_nodes
  caf::actor registry;
  static inline const char* name = "plugnode.node_agent";
};

// A broker without connections, so the agent runs on the middleman's I/O thread, where BASP deserialises what
// peers send (with node_options::fast_scheduler): a peer's request reaches it and its answer reaches the BASP
// broker without a hand-over to a scheduler thread (two wake-ups less per round trip; docs/benchmarks.md).
// Its handlers are short; the host resolver and every dial run on threads of their own.
using agent = caf::io::stateful_broker<agent_state>;

// A request timeout that ends at `deadline` (at least 1 ms, CAF's timeouts must be positive).
caf::duration until(clock::time_point deadline);

// -- the peers' life cycle (node_agent.cpp)
void add_peer(agent* self, const std::string& name, connected_peer p);
void remove_peer(agent* self, const std::string& name, const std::string& reason, bool drop_connection);
// Tells every monitor_nodes subscriber `event` (nodeup or nodedown).
void notify(agent* self, const caf::message& event);
// Asks CAF where `nid` is connected from, then logs `why` (if any) with that address and drops the
// connection.
void drop_node(agent* self, const caf::node_id& nid, std::string why);
// Demonitors `who` once no peer and no handshake refers to it any more.
void unwatch(agent* self, const caf::actor& who);

// -- connecting (agent_connect.cpp)
// One dial of a connection attempt: the node it is for (canonical), where it listens, and until when.
struct dial_attempt {
  std::string node;
  std::string address;
  std::uint16_t port = 0;
  clock::time_point deadline;
  bool redialled_lost = false; // dialled again once already because the handshake's connection closed
};

// Connects to `target.node` (a node name, validated here), sharing one attempt among concurrent callers;
// `done` gets true when connected (or already, or self).
void connect_to(agent* self, const connect_target& target, std::function<void(bool)> done);
// The same for a name as text (a shell line, a peer's list): parsed here, false when it is not a name.
void connect_to(agent* self, const std::string& name, std::function<void(bool)> done);
// Connects to every visible node a peer knows that this node does not (Erlang's transitive full mesh).
void meet(agent* self, const std::vector<std::string>& names);
void finish_connect(agent* self, const std::string& name, bool ok);
void fail_connect(agent* self, const std::string& name, const std::string& why);
// Dials (again, when the first hello got no answer).
void dial(agent* self, const dial_attempt& attempt);

// -- BEAM nodes (agent_erlang.cpp)
// Dials `attempt` with the protocol the EPMD of its host names: Erlang's for a BEAM node, plugnode's own
// otherwise (always, while the Erlang side is off).
void dial_by_protocol(agent* self, const dial_attempt& attempt);
// The Erlang side attaching itself, and its nodeup/nodedown (this node only).
caf::message_handler beam_handlers(agent* self);

// -- the agent handshake (agent_handshake.cpp)
// Initiator side, once a dial gave a connection and the peer's agent handle.
void authenticate(agent* self, const dial_attempt& attempt, const caf::node_id& nid,
                  const caf::actor& remote);
// Responder side: hello and auth, the only messages a node that has not authenticated gets an answer to.
caf::message_handler handshake_handlers(agent* self);
// Ends the inbound handshakes whose deadline passed.
void expire_handshakes(agent* self, clock::time_point now);

// -- heartbeats and failure detection (agent_heartbeat.cpp)
void start_heartbeats(agent* self);
// The tick (local) and the heartbeat a peer sends (authenticated peers only).
caf::message_handler heartbeat_handlers(agent* self);
// A monitored actor went away: when it was a peer's agent (its connection closed) or a handshake's, handles
// it and returns true.
bool on_agent_down(agent* self, const caf::down_msg& down);

} // namespace plugnode::runtime::detail
