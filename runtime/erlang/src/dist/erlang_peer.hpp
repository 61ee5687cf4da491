// erlang_peer: the actor behind one BEAM node's connection. It turns the node's messages into messages of
// erlang_protocol.hpp for the actors registered under the names they address, sends the replies back as
// frames, and answers for the two Erlang processes every node has: `net_kernel` (the `is_auth` call of
// Node.ping) and `rex` (`:rpc.call` of old nodes; OTP 23+ spawns erpc instead, answered here too), and
// the node's monitors of registered names (their DOWN when the actor ends). It runs on CAF's scheduler like
// the actors it talks to (a detached thread would cost a thread wake-up per message and per reply): its
// writes never wait (erlang_connection queues what the socket does not take). The frames for an exported name
// it has resolved skip it: the connection's direct route (erlang_direct.hpp) delivers them from the reader.
#pragma once

#include <memory>
#include <set>
#include <string>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

#include "dist/erlang_connection.hpp"
#include "dist/erlang_direct.hpp"

namespace plugnode::erlang::detail {

// Besides the frames, it answers this node's own calls and sends to a process registered on the BEAM node:
//   (erlang_call_atom, std::string name, term request, std::chrono::milliseconds timeout)  term reply
//   (erlang_send_atom, std::string name, term message)
// `agent` answers the registry's whereis_atom and the node list; `self` is a pid of this node (its name and
// creation) for the pids it hands out; `exported` the registered names the BEAM node may reach. Every
// message frame of `connection` that `route` does not deliver itself must be sent to the returned actor: as
// a dist_message, or (handed_over_atom, dist_message) when the route counted it; it ends when it receives an
// exit. It tells `route` what its name cache learns.
caf::actor spawn_erlang_peer(caf::actor_system& system, std::shared_ptr<erlang_connection> connection,
                             std::shared_ptr<direct_route> route, caf::actor agent, pid self,
                             std::set<std::string> exported);

} // namespace plugnode::erlang::detail
