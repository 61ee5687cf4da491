// The shared socket calls of sockets.hpp.
#include "plugnode/runtime/net/sockets.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace plugnode::runtime::net {

std::optional<endpoint> endpoint_of(const sockaddr* addr) {
  char text[INET6_ADDRSTRLEN] = {};
  if (addr->sa_family == AF_INET) {
    auto* in = reinterpret_cast<const sockaddr_in*>(addr);
    ::inet_ntop(AF_INET, &in->sin_addr, text, sizeof text);
    return endpoint{text, ntohs(in->sin_port)};
  }
  if (addr->sa_family == AF_INET6) {
    auto* in6 = reinterpret_cast<const sockaddr_in6*>(addr);
    ::inet_ntop(AF_INET6, &in6->sin6_addr, text, sizeof text);
    return endpoint{text, ntohs(in6->sin6_port)};
  }
  return std::nullopt;
}

std::optional<endpoint> peer_endpoint(int fd) {
  sockaddr_storage addr{};
  socklen_t size = sizeof addr;
  if (::getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0)
    return std::nullopt;
  return endpoint_of(reinterpret_cast<sockaddr*>(&addr));
}

std::optional<endpoint> local_endpoint(int fd) {
  sockaddr_storage addr{};
  socklen_t size = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &size) != 0)
    return std::nullopt;
  return endpoint_of(reinterpret_cast<sockaddr*>(&addr));
}

int poll_until(int fd, short events, clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  if (left.count() <= 0)
    return 0;
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, static_cast<int>(left.count()));
}

int connect_by(const std::string& address, std::uint16_t port, clock::time_point deadline,
               std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) {
    error = "not an IP address: " + address;
    return -1;
  }
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int failure = fd < 0 ? errno : ::connect(fd, found->ai_addr, found->ai_addrlen) == 0 ? 0 : errno;
  ::freeaddrinfo(found);
  if (failure == EINPROGRESS) {
    failure = ETIMEDOUT;
    while (clock::now() < deadline)
      if (poll_until(fd, POLLOUT, deadline) > 0) {
        socklen_t size = sizeof failure;
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size);
        break;
      }
  }
  if (failure != 0) {
    if (fd >= 0)
      ::close(fd);
    error = "cannot connect to " + address + ":" + std::to_string(port) + ": " + std::strerror(failure);
    return -1;
  }
  return fd;
}

int open_listener(const std::string& address, std::uint16_t port, int backlog, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  auto host = address.empty() ? nullptr : address.c_str();
  if (int rc = ::getaddrinfo(host, std::to_string(port).c_str(), &hints, &found); rc != 0 || !found) {
    error = "cannot resolve " + address + ": " + ::gai_strerror(rc);
    errno = EINVAL;
    return -1;
  }
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int yes = 1;
  // SO_REUSEADDR: a restarted node gets its port back at once, past the old connections' TIME_WAIT.
  bool ok = fd >= 0 && ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == 0 &&
            ::bind(fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(fd, backlog) == 0;
  ::freeaddrinfo(found);
  if (!ok) {
    int failure = errno;
    error = std::strerror(failure);
    if (fd >= 0)
      ::close(fd);
    errno = failure;
    return -1;
  }
  return fd;
}

} // namespace plugnode::runtime::net
