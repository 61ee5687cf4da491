// greeter: the example of a plugnode actor that BEAM nodes call, registered as `greeter`:
// `GenServer.call({:greeter, :"plugnode@host"}, {:greet, "Torben"})` -> "Hello, Torben!", the starter's
// greeting (erlang_protocol.hpp says how such calls arrive).
#pragma once

#include <caf/fwd.hpp>

namespace plugnode::app {

caf::actor spawn_greeter(caf::actor_system& system);

} // namespace plugnode::app
