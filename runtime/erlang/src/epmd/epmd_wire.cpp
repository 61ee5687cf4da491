// The deadline-bound socket I/O of epmd_wire.hpp.
#include "epmd/epmd_wire.hpp"
#include "plugnode/runtime/net/sockets.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace plugnode::erlang::detail::epmd {
void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

bool read_exact(int fd, char* out, std::size_t n, deadline until) {
  while (n > 0) {
    if (runtime::net::poll_until(fd, POLLIN, until) <= 0)
      return false;
    auto got = ::recv(fd, out, n, MSG_DONTWAIT);
    if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
      return false;
    if (got > 0) {
      out += got;
      n -= static_cast<std::size_t>(got);
    }
  }
  return true;
}

bool write_all(int fd, const std::string& bytes, deadline until) {
  std::size_t at = 0;
  while (at < bytes.size()) {
    if (runtime::net::poll_until(fd, POLLOUT, until) <= 0)
      return false;
    auto sent = ::send(fd, bytes.data() + at, bytes.size() - at, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent <= 0 && errno != EAGAIN && errno != EINTR)
      return false;
    if (sent > 0)
      at += static_cast<std::size_t>(sent);
  }
  return true;
}

} // namespace plugnode::erlang::detail::epmd
