// Fuzzes the distribution port's handshake with the bytes an intruder sends: the responder (what the
// listener runs) and the initiator (what a dial runs against a hostile listener) each get the input in the
// chunks they ask for. Neither may crash, accept more than it asked for, or authenticate without the cookie.
#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "dist/wire_handshake.hpp"

namespace {

using plugnode::runtime::detail::wire_handshake;

void drive(wire_handshake hs, std::string_view input) {
  std::size_t chunk = input.empty() ? 1 : static_cast<unsigned char>(input[0]) % 7 + 1; // uneven reads
  while (hs.current() == wire_handshake::state::running && !input.empty()) {
    (void)hs.take_output();
    auto want = hs.wanted();
    if (want == 0)
      std::abort(); // running but asking for nothing would hang the socket until its deadline
    auto n = std::min({want, chunk, input.size()});
    hs.feed(input.substr(0, n));
    input.remove_prefix(n);
  }
  if (hs.current() == wire_handshake::state::authenticated)
    std::abort(); // the input never saw the cookie, so it cannot have proved it
  if (hs.current() == wire_handshake::state::running)
    hs.closed();
  if (hs.current() != wire_handshake::state::refused || hs.reason().empty() || hs.wanted() != 0)
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  drive(wire_handshake::responder("fuzz-cookie", "app@127.0.0.2"), input);
  drive(wire_handshake::initiator("fuzz-cookie", "app@127.0.0.2"), input);
  return 0;
}
