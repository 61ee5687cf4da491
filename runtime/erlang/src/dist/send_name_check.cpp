// The frame check of send_name_check.hpp.
#include "dist/send_name_check.hpp"

namespace plugnode::erlang::detail {

send_name_state check_send_name(std::string_view received) {
  if (received.size() < 3)
    return send_name_state::incomplete;
  std::size_t length =
      (std::size_t{static_cast<unsigned char>(received[0])} << 8) | static_cast<unsigned char>(received[1]);
  if (length < 3 || length > max_send_name || (received[2] != 'n' && received[2] != 'N'))
    return send_name_state::refused;
  return received.size() < 2 + length ? send_name_state::incomplete : send_name_state::complete;
}

} // namespace plugnode::erlang::detail
