// testing: the plug test harness (Plug.Test). Build a conn as a request would arrive, call a plug on it,
// then read status, headers, body, assigns and halted off the result; no socket involved.
#pragma once

#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "plugnode/plugs/plug.hpp"
#include "plugnode/plugs/response_stream.hpp"

namespace plugnode::plugs {

// A conn for `method` and `target` ("/path?query"), with the body and request headers given (names in any
// case). Throws bad_request for a target the endpoint would answer with 400.
conn test_conn(std::string method, std::string_view target, std::string body = {},
               const headers& req_headers = {});

// Moves c's body into an unlinked temporary file ($TMPDIR or /tmp), as the endpoint does with a body past
// its spool threshold: the plug under test then reads it through read_body() as it would a large upload.
conn& spool_body(conn& c);

// Runs `p` on `c` and returns the conn as the plug left it.
inline conn call(const plug& p, conn c) {
  p.call(c);
  return c;
}

// A streaming response (send_stream) as a client would see it, without a socket: opens the stream the conn
// started (its on_open runs now, on this thread), then collects what the plug sends.
class stream_client {
public:
  // Throws std::logic_error when `c` did not start a stream. `max_queued` as the endpoint's stream_buffer:
  // chunks not yet collected count against it.
  explicit stream_client(conn& c, std::size_t max_queued = std::size_t{1} << 20);
  // The chunks sent since the last call, in order.
  std::vector<std::string> chunks();
  // How the stream stands: open, finished (closed by the plug), dropped (the client left or fell behind).
  response_stream::state state();
  // The client leaves: the plug's on_close runs, its sends fail from now on.
  void disconnect();

private:
  std::shared_ptr<response_stream> stream_;
  std::deque<std::string> taken_;
};

} // namespace plugnode::plugs
