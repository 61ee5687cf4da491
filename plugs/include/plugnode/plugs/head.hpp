// head: serves HEAD with the GET route (Plug.Head). The method becomes GET for the rest of the pipeline; the
// endpoint then sends the GET response's headers, Content-Length included, without the body.
#pragma once

#include "plugnode/plugs/conn.hpp"
#include "plugnode/plugs/plug.hpp"

namespace plugnode::plugs {

struct head {
  void call(conn& c) const;
  bool blocks(const request_path&) const { return false; } // never waits: runs on the event loop too
};

// Whether the client asked with HEAD (also after head turned the method into GET).
bool is_head_request(const conn& c);

} // namespace plugnode::plugs
