// epmd_request: what the node's EPMD responder (epmd_responder.hpp) makes of the bytes a client has sent so
// far: wait for more, refuse, or the answer to write before the close. PORT_PLEASE2 and NAMES are answered
// (ERTS "EPMD Protocol"), any other request gets no answer. Apart from the socket, so that a fuzz target
// drives it with any bytes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace plugnode::erlang::detail::epmd {

// A request's length:16 field may say at most this (a node name is at most 255 bytes).
constexpr std::size_t max_request = 512;

// Who the responder answers for.
struct entry {
  std::string alive; // the node name's app part
  std::uint16_t epmd_port = 0;
  std::uint16_t dist_port = 0;
};

struct reply {
  enum class verdict { incomplete, refused, answered } what = verdict::incomplete;
  std::string bytes;     // answered: what to write before closing (empty for a request not answered)
  std::uint8_t code = 0; // answered: the request's code
};

// `received`: everything the client sent so far. incomplete until the whole request is there; refused for a
// length of 0 or over max_request.
reply reply_to(std::string_view received, const entry& self);

} // namespace plugnode::erlang::detail::epmd
