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

connection_flood::connection_flood(std::string local_address, std::string address, std::uint16_t port,
                                   std::size_t sockets)
    : local_(std::move(local_address)), address_(std::move(address)), port_(port), sockets_(sockets),
      thread_([this] { run(); }) {}

connection_flood::~connection_flood() {
  stop_ = true;
  thread_.join();
}

void connection_flood::run() {
  std::vector<pollfd> fds;
  for (std::size_t i = 0; i < sockets_; ++i) {
    fds.push_back(pollfd{open_one(local_, address_, port_), POLLIN, 0});
    ++connects_;
  }
  while (!stop_) {
    if (::poll(fds.data(), fds.size(), 20) < 0)
      break;
    for (auto& p : fds) {
      if (p.fd >= 0 && p.revents == 0)
        continue;
      char byte[512];
      // Anything but "would block" (the challenge never comes: the flood sends no hello) is the node
      // closing the connection: open the next one at once.
      if (p.fd >= 0 && ::recv(p.fd, byte, sizeof byte, MSG_DONTWAIT) < 0 && errno == EAGAIN)
        continue;
      if (p.fd >= 0)
        ::close(p.fd);
      p.fd = open_one(local_, address_, port_);
      ++connects_;
    }
  }
  for (auto& p : fds)
    if (p.fd >= 0)
      ::close(p.fd);
}

} // namespace plugnode::test
