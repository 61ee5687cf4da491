// read_body.hpp: parts of a body from memory or from its spool file, through one read position.
#include "plugnode/plugs/read_body.hpp"

#include <algorithm>

#include "plugnode/plugs/body_file.hpp"

namespace plugnode::plugs {

std::uint64_t body_length(const conn& c) {
  return c.spooled_body ? c.spooled_body->size() : c.body.size();
}

body_part read_body(conn& c, std::size_t max_bytes) {
  auto length = body_length(c);
  auto at = std::min(c.body_read, length);
  body_part part;
  if (c.spooled_body)
    part.data = c.spooled_body->read(at, max_bytes);
  else
    part.data = c.body.substr(static_cast<std::size_t>(at), max_bytes);
  c.body_read = at + part.data.size();
  part.more = c.body_read < length;
  return part;
}

} // namespace plugnode::plugs
