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

} // namespace plugnode::plugs
