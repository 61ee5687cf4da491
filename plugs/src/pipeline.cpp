// Running a pipeline's plugs in order until one halts the conn; see pipeline.hpp.
#include "plugnode/plugs/pipeline.hpp"

namespace plugnode::plugs {

void pipeline::call(conn& c) const {
  for (const auto& p : plugs_) {
    if (c.halted)
      return;
    p.call(c);
  }
}

bool pipeline::blocks(const request_path& r) const {
  for (const auto& p : plugs_)
    if (p.blocks(r))
      return true;
  return false;
}

} // namespace plugnode::plugs
