// read_body.hpp: parts of a body from memory or from its spool file, through one read position.
#include "plugnode/plugs/read_body.hpp"

#include <algorithm>

#include "plugnode/plugs/body_file.hpp"

namespace plugnode::plugs {

std::uint64_t body_length(const conn& c) {
  return c.spooled_body ? c.spooled_body->size() : c.body.size();
}

bool read_body(conn& c, std::string& part, std::size_t max_bytes) {
  auto length = body_length(c);
  auto at = std::min(c.body_read, length);
  if (c.spooled_body)
    c.spooled_body->read(at, max_bytes, part);
  else
    part.assign(c.body, static_cast<std::size_t>(at), max_bytes);
  c.body_read = at + part.size();
  return c.body_read < length;
}

body_part read_body(conn& c, std::size_t max_bytes) {
  body_part part;
  part.more = read_body(c, part.data, max_bytes);
  return part;
}

} // namespace plugnode::plugs
