// testing: the plug test harness (Plug.Test). Build a conn as a request would arrive, call a plug on it,
// then read status, headers, body, assigns and halted off the result; no socket involved.
#pragma once

#include <string>
#include <utility>

#include "plugnode/plugs/plug.hpp"

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

} // namespace plugnode::plugs
