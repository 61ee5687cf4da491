// The deadline-bound socket I/O of epmd_wire.hpp.
#include "epmd/epmd_wire.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

namespace plugnode::erlang::detail::epmd {
namespace {

// Waits for `events` on `fd` until `until`; false when the deadline passed first.
bool wait_for(int fd, short events, deadline until) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
  if (left.count() <= 0)
    return false;
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, static_cast<int>(left.count())) >= 0;
}

} // namespace

void put16(std::string& out, std::uint16_t v) {
  out += static_cast<char>(v >> 8);
  out += static_cast<char>(v & 0xff);
}

bool read_exact(int fd, char* out, std::size_t n, deadline until) {
  while (n > 0) {
    if (!wait_for(fd, POLLIN, until))
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
    if (!wait_for(fd, POLLOUT, until))
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
