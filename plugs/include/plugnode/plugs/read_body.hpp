// read_body: a request body in parts, as Plug.Conn.read_body/2 gives it, whether the connection kept it in
// memory (conn.body, up to the spool threshold, 1 MB by default) or spooled it to a temporary file
// (conn.spooled_body, a larger body; conn.body is then empty). A plug that takes uploads of any size reads
// through here and holds one part at a time; a plug that wants a spooled body whole asks for it
// (read_body(c, body_length(c))) and holds that memory outside the node's body budget, its own choice.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "plugnode/plugs/conn.hpp"

namespace plugnode::plugs {

struct body_part {
  std::string data;
  bool more = false; // bytes remain after this part: call again
};

// The next part of the body: up to `max_bytes` of what no earlier call returned. conn.body itself is left
// as it is. Throws std::runtime_error when a spooled body cannot be read (or its request has ended).
body_part read_body(conn& c, std::size_t max_bytes = std::size_t{8} << 20);
// The same into `part`, whose capacity is reused from call to call (a loop over a large body allocates
// once); returns whether bytes remain after it.
bool read_body(conn& c, std::string& part, std::size_t max_bytes);

// The whole body's length, read or not.
std::uint64_t body_length(const conn& c);

} // namespace plugnode::plugs
