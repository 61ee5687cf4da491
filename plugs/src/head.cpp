#include "plugnode/plugs/head.hpp"

namespace plugnode::plugs {
namespace {
const std::string head_key = "plugnode.head";
}

void head::call(conn& c) const {
  if (c.method != "HEAD")
    return;
  c.method = "GET";
  c.private_[head_key] = true;
}

bool is_head_request(const conn& c) {
  return c.method == "HEAD" || c.private_.count(head_key) != 0;
}

} // namespace plugnode::plugs
