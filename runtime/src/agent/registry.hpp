// registry: the node's name registry (Erlang's `register`/`whereis`), an actor of its own apart from the
// node agent, as Erlang keeps it apart from `net_kernel`. It maps names to local actors and forgets a name
// when its actor ends. Only the node agent talks to it (the agent checks who may ask), so its handle never
// crosses the wire.
//
//   (register_atom, std::string name, caf::actor who)   bool  false: name taken by another actor
//   (unregister_atom, std::string name)                 bool  true when it was registered
//   (whereis_atom, std::string name)                    caf::actor, or the error unknown_name
//   (call_atom, std::string name, caf::message msg)     handed on to that actor, which answers the caller
#pragma once

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace plugnode::runtime::detail {

// Spawns the registry linked to `owner` (the agent), so that it ends with it.
caf::actor spawn_registry(caf::local_actor* owner);

} // namespace plugnode::runtime::detail
