// The reconnecting socket flood of connection_flood.hpp, on one thread with poll(2).
#include "connection_flood.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <vector>

#include "plugnode/test/ports.hpp"

namespace plugnode::test {
namespace {

// A non-blocking connect from `local` (any port, chosen at connect so the 4-tuples stay distinct); -1 when
// the socket cannot even be made.
int open_one(const std::string& local, const std::string& address, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return -1;
  int yes = 1;
  ::setsockopt(fd, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &yes, sizeof yes);
  auto from = ipv4_address(local, 0);
  auto to = ipv4_address(address, port);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) != 0) {
    ::close(fd);
    return -1;
  }
  (void)::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to); // EINPROGRESS: poll says the rest
  return fd;
}

} // namespace

connection_flood::connection_flood(std::vector<std::string> local_addresses, std::string address,
                                   std::uint16_t port, std::size_t per_address, std::string opening)
    : locals_(std::move(local_addresses)), address_(std::move(address)), port_(port),
      per_address_(per_address), opening_(std::move(opening)), thread_([this] { run(); }) {}

connection_flood::~connection_flood() {
  stop_ = true;
  thread_.join();
}

void connection_flood::run() {
  struct held {
    std::string local;
    bool opened = false; // connected, and the opening sent
  };
  std::vector<pollfd> fds;
  std::vector<held> sockets;
  for (const auto& local : locals_)
    for (std::size_t i = 0; i < per_address_; ++i) {
      fds.push_back(pollfd{open_one(local, address_, port_), POLLOUT, 0});
      sockets.push_back(held{local});
      ++connects_;
    }
  while (!stop_) {
    if (::poll(fds.data(), fds.size(), 20) < 0)
      break;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      auto& p = fds[i];
      auto& s = sockets[i];
      if (p.fd >= 0 && p.revents == 0)
        continue;
      if (p.fd >= 0 && !s.opened && (p.revents & POLLOUT) && !(p.revents & (POLLERR | POLLHUP))) {
        s.opened = opening_.empty() || ::send(p.fd, opening_.data(), opening_.size(), MSG_NOSIGNAL) ==
                                           static_cast<ssize_t>(opening_.size());
        p.events = POLLIN;
        if (s.opened)
          continue;
      }
      char byte[512];
      // Anything but "would block" (no request of the flood is ever complete, so no answer comes) is the
      // node closing the connection: open the next one at once.
      if (p.fd >= 0 && s.opened && ::recv(p.fd, byte, sizeof byte, MSG_DONTWAIT) < 0 && errno == EAGAIN)
        continue;
      if (p.fd >= 0)
        ::close(p.fd);
      p = pollfd{open_one(s.local, address_, port_), POLLOUT, 0};
      s.opened = false;
      ++connects_;
    }
  }
  for (auto& p : fds)
    if (p.fd >= 0)
      ::close(p.fd);
}

std::vector<std::string> flood_addresses(std::size_t count) {
  std::vector<std::string> addresses;
  for (std::size_t i = 0; i < count; ++i)
    addresses.push_back("127.0." + std::to_string(1 + i / 254) + "." + std::to_string(1 + i % 254));
  return addresses;
}

} // namespace plugnode::test
