// Fuzzes the Erlang gate's check of a client's first bytes: fed whole and byte by byte the verdict agrees,
// complete only once a whole frame of 3-512 bytes starting with 'n' or 'N' is there, refused only by the
// first 3 bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dist/send_name_check.hpp"

using namespace plugnode::erlang::detail;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto whole = check_send_name(input);
  std::size_t at = 0;
  auto first = send_name_state::incomplete;
  for (; at <= input.size() && first == send_name_state::incomplete; ++at)
    first = check_send_name(input.substr(0, at));
  if (first != whole)
    std::abort(); // a verdict, once given, changes with more bytes
  if (whole == send_name_state::refused && at - 1 != 3)
    std::abort(); // refused on anything but the first 3 bytes
  if (whole == send_name_state::complete) {
    std::size_t length = (std::size_t{data[0]} << 8) | data[1];
    if (at - 1 != 2 + length || length < 3 || length > max_send_name || (data[2] != 'n' && data[2] != 'N'))
      std::abort();
  }
  return 0;
}
