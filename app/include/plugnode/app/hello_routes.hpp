// hello_routes: the Elixir starter's routes, the application part of the `plugnode` binary (the first user
// of service.hpp): `/` greets the world and lists the routes, `/crash` raises inside the pipeline (500 for
// that request, the node lives on), and
// `/<name>` greets the name in the body and in an `x-greeting` header.
#pragma once

#include <string>

#include "plugnode/app/service.hpp"
#include "plugnode/plugs/router.hpp"

namespace plugnode::app {

// Adds GET /crash and GET /:name; `/` with `route_list` as its help text. Add them after the fixed routes,
// since /:name takes any single segment.
void add_hello_routes(plugs::router& router, std::string route_list);

// The `plugnode` binary's service: the hello routes, and `/` listing the operator routes beside them.
service hello_service();

// "Hello, <name>!" made safe for a header value: control characters (CR, LF, ...) percent-encoded.
std::string greeting_header(const std::string& name);

} // namespace plugnode::app
