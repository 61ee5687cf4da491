// The EPMD answers of epmd_request.hpp.
#include "epmd/epmd_request.hpp"

#include "epmd/epmd_wire.hpp"

namespace plugnode::erlang::detail::epmd {

reply reply_to(std::string_view received, const entry& self) {
  if (received.size() < 2)
    return {};
  std::size_t length =
      (std::size_t{static_cast<unsigned char>(received[0])} << 8) | static_cast<unsigned char>(received[1]);
  if (length == 0 || length > max_request)
    return {reply::verdict::refused, {}, 0};
  if (received.size() < 2 + length)
    return {};
  auto request = received.substr(2, length);
  reply r{reply::verdict::answered, {}, static_cast<std::uint8_t>(request[0])};
  if (r.code == port_please2_req) {
    if (request.substr(1) != self.alive) {
      r.bytes = {static_cast<char>(port2_resp), 1}; // not found
      return r;
    }
    r.bytes = {static_cast<char>(port2_resp), 0};
    put16(r.bytes, self.dist_port);
    r.bytes += static_cast<char>(hidden_node);
    r.bytes += static_cast<char>(tcp_ipv4);
    put16(r.bytes, highest_version);
    put16(r.bytes, lowest_version);
    put16(r.bytes, static_cast<std::uint16_t>(self.alive.size()));
    r.bytes += self.alive;
    put16(r.bytes, 0); // no extra
  } else if (r.code == names_req) {
    r.bytes = {0, 0, static_cast<char>(self.epmd_port >> 8), static_cast<char>(self.epmd_port & 0xff)};
    r.bytes += "name " + self.alive + " at port " + std::to_string(self.dist_port) + "\n";
  }
  return r;
}

} // namespace plugnode::erlang::detail::epmd
