// Socket I/O of the wire handshake; see handshake_socket.hpp.
#include "dist/handshake_socket.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <cerrno>

#include "plugnode/runtime/net/socket_drop.hpp"

namespace plugnode::runtime::detail {
namespace {

enum class io_result { progress, would_block, closed };

io_result write_some(handshake_socket& s) {
  auto n = ::send(s.fd, s.outbox.data(), s.outbox.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? io_result::would_block
                                                                     : io_result::closed;
  auto sent = static_cast<std::size_t>(n);
  s.outbox.erase(0, sent);
  return sent > 0 ? io_result::progress : io_result::would_block;
}

io_result read_some(handshake_socket& s) {
  char buffer[512];
  auto want = std::min(s.handshake.wanted(), sizeof(buffer));
  auto n = ::recv(s.fd, buffer, want, MSG_DONTWAIT);
  if (n == 0)
    return io_result::closed;
  if (n < 0)
    return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? io_result::would_block
                                                                     : io_result::closed;
  s.heard = true;
  s.last_heard = std::chrono::steady_clock::now();
  s.handshake.feed(std::string_view(buffer, static_cast<std::size_t>(n)));
  return io_result::progress;
}

} // namespace

handshake_socket::handshake_socket(int socket, wire_handshake hs, std::chrono::steady_clock::time_point until)
    : fd(socket), handshake(std::move(hs)), deadline(until) {
  std::uint16_t port = 0;
  if (net::peer_of(socket, address, port))
    peer = address + ":" + std::to_string(port);
  else
    address = peer = "unknown peer";
}

wire_handshake::state pump(handshake_socket& s) {
  using state = wire_handshake::state;
  // Bounded: each round moves bytes or stops; a handshake is four short frames.
  for (int round = 0; round < 64; ++round) {
    s.outbox += s.handshake.take_output();
    bool moved = false;
    if (!s.outbox.empty()) {
      auto r = write_some(s);
      if (r == io_result::closed) {
        s.handshake.closed();
        return s.handshake.current();
      }
      moved = r == io_result::progress;
    }
    if (s.handshake.current() == state::refused)
      return state::refused;
    if (s.handshake.current() == state::authenticated)
      return s.outbox.empty() ? state::authenticated : state::running;
    if (s.handshake.wanted() > 0) {
      auto r = read_some(s);
      if (r == io_result::closed) {
        s.handshake.closed();
        return s.handshake.current();
      }
      moved = moved || r == io_result::progress;
    }
    if (!moved)
      break;
  }
  return s.handshake.current() == state::authenticated ? state::running : s.handshake.current();
}

short poll_events(const handshake_socket& s) {
  if (s.held_until != std::chrono::steady_clock::time_point{})
    return 0;
  return static_cast<short>(POLLIN | (s.outbox.empty() ? 0 : POLLOUT));
}

} // namespace plugnode::runtime::detail
