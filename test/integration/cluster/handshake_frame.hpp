// handshake_frame: a frame of the wire handshake (runtime/src/dist/wire_handshake.hpp) as an intruder
// writes it by hand: a 2-byte length, then the body.
#pragma once

#include <string>

namespace plugnode::test {

inline std::string handshake_frame(const std::string& body) {
  return std::string{static_cast<char>(body.size() >> 8), static_cast<char>(body.size() & 0xff)} + body;
}

} // namespace plugnode::test
