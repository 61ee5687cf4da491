// erlang_protocol: how a plugnode actor registered under a name (agent_protocol.hpp's register_atom) is
// reached from a BEAM node, and its options. Only the names in dist_options::exported are reachable: any
// other name (the node's own actors: `erlang`, `shell`, `discovery`, `checker`) is to BEAM what a name
// nobody registered is (noproc for a call, undef for an rpc, a send dropped). Messages from BEAM arrive as
// terms (term.hpp):
//
//   from BEAM                                     the registered actor receives          and answers
//   GenServer.call({name, node}, request)         (erlang_call_atom, term request)       term reply
//   send({name, node}, message) (anything else)   (erlang_send_atom, term message)       nothing
//
// A call's reply goes back to the caller as `{tag, reply}`, the form GenServer.call waits for; an actor that
// does not answer within erlang_call_timeout leaves the caller to its own timeout. `:rpc.call(node, mod, fun,
// args)` is the call `{fun, args}` to the actor registered as `mod`; its reply is rpc's result. An exported
// actor installs quiet_unexpected (below), so that what a BEAM node sends it and it does not handle never
// reaches CAF's default handler, which prints every unexpected message to stderr.
#pragma once

#include <chrono>
#include <cstdint>
#include <set>
#include <string>

#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "plugnode/erlang/term.hpp"

namespace plugnode::erlang {

using erlang_call_atom = caf::atom_constant<caf::atom("erl_call")>;
using erlang_send_atom = caf::atom_constant<caf::atom("erl_send")>;
constexpr erlang_call_atom erlang_call_atom_v{};
constexpr erlang_send_atom erlang_send_atom_v{};

constexpr std::chrono::seconds erlang_call_timeout{30};

// When the listener is on, the Erlang side's own actor is registered under this name. It answers, for BEAM
// nodes (never plugnode ones), what the node agent answers for plugnode nodes:
//   (caf::connect_atom, std::string node)    bool  connects with Erlang's protocol (EPMD, ei's handshake)
//   (disconnect_atom, std::string node)      bool
//   (caf::ping_atom, std::string node)       bool  net_adm:ping: connects first, then net_kernel's is_auth
//   (nodes_atom)                             std::vector<std::string>  connected BEAM nodes
//   (cluster_atom)                           std::vector<peer_info>    the same, with address and ages
//   (monitor_nodes_atom, caf::actor who)     `who` receives (nodeup_atom, node), (nodedown_atom, node, why)
//   (erlang_call_atom, node, name, term request, std::chrono::milliseconds timeout)   term reply
//        GenServer.call({name, node}, request) to a BEAM node; errors unknown_node or request_timeout
//   (erlang_send_atom, node, name, term message)                                      send({name, node}, msg)
constexpr const char* erlang_registered_name = "erlang";

// The Erlang distribution listener of a node (PLUGNODE_ERLANG_DIST and friends): off unless enabled.
struct dist_options {
  bool enabled = false;
  std::uint16_t port = 4371; // PLUGNODE_ERLANG_DIST_PORT, where BEAM nodes connect (EPMD tells them)
  std::chrono::milliseconds ticktime{60000}; // PLUGNODE_ERLANG_TICKTIME, Erlang's net_ticktime
  std::uint16_t epmd_port = 4369;            // ERL_EPMD_PORT, Erlang's own variable: where EPMD answers
  std::set<std::string> exported;            // registered names BEAM nodes may reach (none unless listed)
};

// Makes `self` drop the messages it has no handler for with a rate-limited warning naming `name` (never
// CAF's raw print to stderr); a request among them is answered with sec::unexpected_message, which a BEAM
// caller sees as a missing name.
void quiet_unexpected(caf::scheduled_actor* self, std::string name);

} // namespace plugnode::erlang

// Terms travel between actors of one node only (a CAF peer never receives one), so they need no CAF
// serialisation.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plugnode::erlang::term)
