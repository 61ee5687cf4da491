// agent_protocol: the messages the node agent (this node's `net_kernel`) answers, for every layer that talks
// to it (discovery, the HTTP routes, the remote shell). Node names travel as `app@host` strings, so callers
// need no custom message types; the agent validates them with node_name::parse.
//
//   request                                   reply
// With the Erlang side on (erlang_protocol.hpp), "node" covers BEAM nodes too: a name whose host's EPMD
// answers for a BEAM node is connected with Erlang's protocol, and BEAM nodes are listed and reported
// like plugnode's own (agent_erlang.cpp).
//
//   (caf::connect_atom, std::string node)     bool      true when connected (also: already, or self)
//   (caf::connect_atom, connect_target t)     bool      the same, dialling t's port and addresses (a
//                                                       discovery answer); resolves t.node only without
//                                                       addresses
//   (disconnect_atom, std::string node)       bool      true when a connection was dropped
//   (caf::ping_atom, std::string node)        bool      true = pong, false = pang (connects first)
//   (nodes_atom)                              std::vector<std::string>   visible peers, sorted, never self
//   (nodes_atom, hidden_atom)                 std::vector<std::string>   hidden peers (remote shells)
//   (nodes_atom, kinds_atom)                  node_kinds  visible, hidden and BEAM peers from one look
//                                                       at the table (the remote shell's `nodes`)
//   (monitor_nodes_atom, caf::actor who)      void      `who` then receives
//        (nodeup_atom, std::string node) and (nodedown_atom, std::string node, std::string reason)
//        reason: "connection closed", "heartbeat timeout", "peer leaving", "disconnect requested"
//   (agent_atom, std::string node)            caf::actor  its agent (connects first; error when that fails)
//   (cluster_atom)                            std::vector<peer_info>  every peer, RTT and last seen
//   (register_atom, std::string name, caf::actor who)   bool  names a local actor (false: name taken)
//   (unregister_atom, std::string name)       bool
//   (whereis_atom, std::string name)          caf::actor  local lookup; error unknown_name
//   (call_atom, std::string name, caf::message msg)   what the actor registered as `name` answers to `msg`
//                                             (handed on to it: one request, see ask.hpp); error unknown_name
//   (whereis_atom, std::string name, std::string node)  caf::actor  lookup on a connected node; errors
//                                             unknown_node (not connected) / unknown_name
//   (caf::leave_atom)                         bool      tell every peer this node is leaving (shutdown)
//
// Between agents only (a node that has not authenticated gets nothing but the first two):
//   (dist_hello_atom, name, incarnation, hidden, caf::actor agent)
//                                             (name, incarnation, challenge)
//   (dist_auth_atom, challenge, proof, std::vector<std::string> visible_peers)
//                                             (proof, std::vector<std::string> visible_peers); no answer
//                                             to a wrong proof (the dialler proves first: handshake.hpp)
//   (dist_beat_atom, std::uint64_t stamp)     std::uint64_t stamp (heartbeat and RTT probe)
//   (dist_leave_atom)                         bool
//
// Every request to the agent carries a finite timeout on the caller's side; errors come back as caf::error
// values of category "plugnode" (runtime_errc) or CAF's own (request_timeout, ...), never as a hang.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <caf/atom.hpp>
#include <caf/error.hpp>
#include <caf/make_message.hpp>
#include <caf/meta/type_name.hpp>

#include "plugnode/runtime/node_name.hpp"

namespace plugnode::runtime {

using nodes_atom = caf::atom_constant<caf::atom("nodes")>;
using hidden_atom = caf::atom_constant<caf::atom("hidden")>;
using kinds_atom = caf::atom_constant<caf::atom("kinds")>;
using disconnect_atom = caf::atom_constant<caf::atom("disconnect")>;
using monitor_nodes_atom = caf::atom_constant<caf::atom("mon_nodes")>;
using nodeup_atom = caf::atom_constant<caf::atom("nodeup")>;
using nodedown_atom = caf::atom_constant<caf::atom("nodedown")>;
using agent_atom = caf::atom_constant<caf::atom("agent")>;
using cluster_atom = caf::atom_constant<caf::atom("cluster")>;
using register_atom = caf::atom_constant<caf::atom("register")>;
using unregister_atom = caf::atom_constant<caf::atom("unregister")>;
using whereis_atom = caf::atom_constant<caf::atom("whereis")>;
using call_atom = caf::atom_constant<caf::atom("call")>;
using dist_hello_atom = caf::atom_constant<caf::atom("d_hello")>;
using dist_auth_atom = caf::atom_constant<caf::atom("d_auth")>;
using dist_beat_atom = caf::atom_constant<caf::atom("d_beat")>;
using dist_leave_atom = caf::atom_constant<caf::atom("d_leave")>;

constexpr nodes_atom nodes_atom_v{};
constexpr hidden_atom hidden_atom_v{};
constexpr kinds_atom kinds_atom_v{};
constexpr disconnect_atom disconnect_atom_v{};
constexpr monitor_nodes_atom monitor_nodes_atom_v{};
constexpr nodeup_atom nodeup_atom_v{};
constexpr nodedown_atom nodedown_atom_v{};
constexpr agent_atom agent_atom_v{};
constexpr cluster_atom cluster_atom_v{};
constexpr register_atom register_atom_v{};
constexpr unregister_atom unregister_atom_v{};
constexpr whereis_atom whereis_atom_v{};
constexpr call_atom call_atom_v{};
constexpr dist_hello_atom dist_hello_atom_v{};
constexpr dist_auth_atom dist_auth_atom_v{};
constexpr dist_beat_atom dist_beat_atom_v{};
constexpr dist_leave_atom dist_leave_atom_v{};

// Where to reach a node: its name, and what a discovery answer said about it. Without addresses the agent
// resolves the name's host; port 0 is this node's own distribution port.
struct connect_target {
  node_name node; // parsed once, where the name came in (an SRV target, a shell line, a peer's list)
  std::uint16_t port = 0;
  std::vector<std::string> addresses; // numeric, preferred first
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, connect_target& x) {
  return f(caf::meta::type_name("connect_target"), x.node, x.port, x.addresses);
}

// Every connected node by kind, from one look at the agent's table.
struct node_kinds {
  std::vector<std::string> visible; // plugnode and BEAM peers, sorted, never self
  std::vector<std::string> hidden;  // remote shells and other hidden peers
  std::vector<std::string> beam;    // the BEAM nodes among `visible`
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, node_kinds& x) {
  return f(caf::meta::type_name("node_kinds"), x.visible, x.hidden, x.beam);
}

// One peer as the agent sees it, for `/cluster` and the remote shell's `status`.
struct peer_info {
  std::string name;
  bool hidden = false;
  std::string address;           // the peer's address as this node's connection sees it
  std::int64_t rtt_us = -1;      // last heartbeat round trip; -1 before the first one
  std::int64_t last_seen_ms = 0; // milliseconds since anything was last heard from it
  std::int64_t up_ms = 0;        // milliseconds since the connection was authenticated
  std::uint64_t incarnation = 0;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, peer_info& x) {
  return f(caf::meta::type_name("peer_info"), x.name, x.hidden, x.address, x.rtt_us, x.last_seen_ms, x.up_ms,
           x.incarnation);
}

// Errors the agent, the registry and the supervisor answer with (category "plugnode").
enum class runtime_errc : std::uint8_t {
  unknown_node = 1, // not a connected node (or an unparsable name)
  unknown_name,     // nothing registered under that name
  connect_failed,   // a connection attempt failed or timed out; the context says why
  exception,        // an actor's handler threw; the context is the exception's what() (error_text.hpp)
  undeclared_type,  // a message type one of the nodes has not declared; the context names it
};

inline caf::atom_value runtime_error_category() {
  return caf::atom("plugnode");
}

inline caf::error make_runtime_error(runtime_errc code, std::string context) {
  return caf::error(static_cast<std::uint8_t>(code), runtime_error_category(),
                    caf::make_message(std::move(context)));
}

// "unknown_node: app@host" and the like, for logs and the remote shell.
std::string render_runtime_error(std::uint8_t code, caf::atom_value category, const caf::message& context);

} // namespace plugnode::runtime
