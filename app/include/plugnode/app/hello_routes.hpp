// hello_routes: the Elixir starter's routes, the application part of a plugnode node.
#pragma once

#include "plugnode/plugs/conn.hpp"

namespace plugnode::app {

void hello_routes(plugs::conn& conn);

} // namespace plugnode::app
