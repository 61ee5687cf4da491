// Fuzzes node_name::parse: any bytes give a name or an error, never a crash, and a name prints as text that
// parses back to the same name.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "plugnode/runtime/node_name.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using plugnode::runtime::node_name;
  std::string why;
  auto name = node_name::parse(std::string_view(reinterpret_cast<const char*>(data), size), &why);
  if (!name)
    return why.empty() ? (std::abort(), 0) : 0; // a refusal always says why
  auto again = node_name::parse(name->to_string());
  if (!again || again->to_string() != name->to_string() || name->to_string().size() > node_name::max_length)
    std::abort();
  return 0;
}
