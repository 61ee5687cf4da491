// The intruder's socket; see raw_client.hpp.
#include "plugnode/test/raw_client.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "plugnode/test/ports.hpp"

namespace plugnode::test {

raw_client::raw_client(const std::string& local_address, const std::string& address, std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto local = ipv4_address(local_address, 0);
  auto remote = ipv4_address(address, port);
  if (fd_ >= 0 && (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0 ||
                   ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0)) {
    ::close(fd_);
    fd_ = -1;
  }
}

raw_client::raw_client(const std::string& address, std::uint16_t port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto remote = ipv4_address(address, port);
  if (fd_ >= 0 && ::connect(fd_, reinterpret_cast<sockaddr*>(&remote), sizeof remote) != 0) {
    ::close(fd_);
    fd_ = -1;
  }
}

raw_client::~raw_client() {
  if (fd_ >= 0)
    ::close(fd_);
}

bool raw_client::send(const std::string& bytes) {
  std::size_t sent = 0;
  while (fd_ >= 0 && sent < bytes.size()) {
    auto n = ::send(fd_, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n <= 0)
      return false;
    sent += static_cast<std::size_t>(n);
  }
  return fd_ >= 0;
}

std::string raw_client::read(std::size_t count, std::chrono::milliseconds timeout) {
  using clock = std::chrono::steady_clock;
  auto deadline = clock::now() + timeout;
  std::string out;
  while (!closed_ && out.size() < count) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
    pollfd p{fd_, POLLIN, 0};
    if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0)
      break;
    char buffer[4096];
    auto n = ::recv(fd_, buffer, std::min(sizeof buffer, count - out.size()), 0);
    if (n <= 0)
      closed_ = true;
    else
      out.append(buffer, static_cast<std::size_t>(n));
  }
  return out;
}

std::string raw_client::read_to_end(std::chrono::milliseconds timeout) {
  return read(std::string::npos / 2, timeout);
}

} // namespace plugnode::test
