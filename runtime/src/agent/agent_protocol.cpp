// The agent protocol's errors in words; see agent_protocol.hpp.
#include "plugnode/runtime/agent_protocol.hpp"

#include <caf/message.hpp>

namespace plugnode::runtime {

std::string render_runtime_error(std::uint8_t code, caf::atom_value, const caf::message& context) {
  std::string what;
  switch (static_cast<runtime_errc>(code)) {
  case runtime_errc::unknown_node: what = "unknown_node"; break;
  case runtime_errc::unknown_name: what = "unknown_name"; break;
  case runtime_errc::connect_failed: what = "connect_failed"; break;
  case runtime_errc::exception: what = "exception"; break;
  case runtime_errc::undeclared_type: what = "undeclared_type"; break;
  default: what = "error " + std::to_string(code);
  }
  if (context.match_elements<std::string>())
    what += ": " + context.get_as<std::string>(0);
  return what;
}

} // namespace plugnode::runtime
