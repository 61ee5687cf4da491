// protocol_side: a second distribution protocol plugged into a node beside plugnode's own. The Erlang side
// (plugnode/erlang/side.hpp) is the one there is; the runtime knows it only through this header, so the
// layers point one way: erlang -> runtime.
//
// The node starts the side once its own listener runs, registers the side's front actor under
// `registered_name`, and tells its agent about it. From then on the agent asks the side's prober, before
// dialling a name, whether that node speaks the side's protocol:
//   (probe_atom, std::string address, std::string node, std::chrono::milliseconds bound)
//        -> (bool ours, std::uint16_t port)   answered within `bound`; false: dial with plugnode's protocol
// and connects, pings, lists and drops such nodes through the front (which may block on a dial, hence a
// prober of its own):
//   (caf::connect_atom, std::string node, std::string address, std::uint16_t port) -> bool
//   (caf::ping_atom, node) -> bool,  (disconnect_atom, node) -> bool,  (monitor_nodes_atom, caf::actor who)
//        `who` receives (nodeup_atom, node) and (nodedown_atom, node, reason) for the side's nodes
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "plugnode/runtime/host_resolver.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::runtime {

using probe_atom = caf::atom_constant<caf::atom("probe")>;
constexpr probe_atom probe_atom_v{};

// What a side is started with: the node's identity and where it listens.
struct side_context {
  node_name name;
  std::string cookie;
  std::string bind_address;
  std::uint64_t incarnation = 0;
  std::chrono::milliseconds connect_timeout{5000};
  caf::actor agent;
  host_resolver resolver; // the node's own, so the side's look-ups follow PLUGNODE_DNS_SERVER too
};

class protocol_side {
public:
  virtual ~protocol_side() = default; // stops listening and closes the side's connections
  virtual const caf::actor& front() const = 0;
  virtual const caf::actor& prober() const = 0;
  virtual const char* registered_name() const = 0;
};

// nullptr with `error` (one line) when the side cannot start.
using side_starter = std::function<std::unique_ptr<protocol_side>(caf::actor_system&, const side_context&,
                                                                  std::string& error)>;

} // namespace plugnode::runtime
