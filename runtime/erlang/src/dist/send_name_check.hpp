// send_name_check: whether the bytes a client has sent the Erlang distribution port so far hold the whole
// first message of Erlang's handshake (send_name: length:16, then 'n' for version 5 or 'N' for version 6,
// flags, creation, the name), so that the Erlang gate (erlang_gate.hpp) hands ei only a connection that
// speaks the protocol and has said its first word. ei checks the content; this checks the frame. Apart from
// the socket, so that a fuzz target drives it with any bytes.
#pragma once

#include <cstddef>
#include <string_view>

namespace plugnode::erlang::detail {

// The most a send_name's length field may say (a node name is at most 255 bytes).
constexpr std::size_t max_send_name = 512;

enum class send_name_state { incomplete, complete, refused };

// refused as soon as the first 3 bytes show another protocol (a length under 3 or over max_send_name, or
// neither 'n' nor 'N'); complete once the whole frame is there (bytes after it belong to the handshake).
send_name_state check_send_name(std::string_view received);

} // namespace plugnode::erlang::detail
