// Fuzzes the node's EPMD responder with any bytes a client sends: fed whole and fed one byte at a time, the
// verdict is the same (framing never depends on how TCP cut the bytes), an answer is never made from a
// partial request, and the only answers are PORT2_RESP (for the node's name: its port) and NAMES.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "epmd/epmd_request.hpp"

namespace {

using namespace plugnode::erlang::detail::epmd;

const entry self{"plugnode", 4369, 4371};

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  auto whole = reply_to(input, self);
  // The first prefix with a verdict decides; every longer input keeps it.
  reply first;
  std::size_t at = 0;
  for (; at <= input.size(); ++at) {
    first = reply_to(input.substr(0, at), self);
    if (first.what != reply::verdict::incomplete)
      break;
  }
  if (first.what != whole.what || first.bytes != whole.bytes)
    std::abort();
  if (whole.what == reply::verdict::answered) {
    std::size_t length = (std::size_t{data[0]} << 8) | data[1];
    if (at != 2 + length || length == 0 || length > max_request)
      std::abort(); // answered before the request was whole, or past the limit
    auto code = static_cast<unsigned char>(whole.bytes.empty() ? 0 : whole.bytes[0]);
    if (!whole.bytes.empty() && code != 119 && code != 0)
      std::abort();
    if (input.substr(3, length - 1) == self.alive && input[2] == 'z' &&
        whole.bytes.substr(0, 4) != std::string_view("\x77\x00\x11\x13", 4))
      std::abort(); // the node's own name must get its port
  }
  if (whole.what == reply::verdict::refused && !whole.bytes.empty())
    std::abort();
  return 0;
}
