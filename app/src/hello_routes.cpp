#include "plugnode/app/hello_routes.hpp"

namespace plugnode::app {

void hello_routes(plugs::conn& conn) {
  if (conn.method == "GET" && conn.path == "/") {
    conn.send_resp(200, "Hello, World!\n");
    return;
  }
  conn.send_resp(404, "Not Found\n");
}

} // namespace plugnode::app
