// The PORT_PLEASE2 look-up of epmd_probe.hpp.
#include "epmd/epmd_probe.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include "epmd/epmd_wire.hpp"

namespace plugnode::erlang::detail {
namespace {

// A non-blocking socket connected to `address`:`port` by `until`, or -1.
int connect_by(const std::string& address, std::uint16_t port, epmd::deadline until) {
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found)
    return -1;
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  bool started = fd >= 0 && (::connect(fd, found->ai_addr, found->ai_addrlen) == 0 || errno == EINPROGRESS);
  ::freeaddrinfo(found);
  if (!started) {
    if (fd >= 0)
      ::close(fd);
    return -1;
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
  pollfd p{fd, POLLOUT, 0};
  int error = 0;
  socklen_t len = sizeof error;
  if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) != 1 ||
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

} // namespace

epmd_answer probe_epmd(const std::string& address, std::uint16_t epmd_port, const std::string& alive,
                       std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  int fd = connect_by(address, epmd_port, until);
  if (fd < 0)
    return {};
  std::string request;
  epmd::put16(request, static_cast<std::uint16_t>(alive.size() + 1));
  request += static_cast<char>(epmd::port_please2_req);
  request += alive;
  // PORT2_RESP: code, result (0: registered), then port:16 and the node type; the rest is not needed.
  unsigned char reply[5] = {};
  bool answered = epmd::write_all(fd, request, until) &&
                  epmd::read_exact(fd, reinterpret_cast<char*>(reply), 2, until) &&
                  reply[0] == epmd::port2_resp && reply[1] == 0 &&
                  epmd::read_exact(fd, reinterpret_cast<char*>(reply) + 2, 3, until);
  ::close(fd);
  if (!answered)
    return {};
  return {reply[4] == epmd::normal_node, static_cast<std::uint16_t>((reply[2] << 8) | reply[3])};
}

} // namespace plugnode::erlang::detail
