#include "plugnode/test/ports.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <random>
#include <stdexcept>

namespace plugnode::test {
sockaddr_in ipv4_address(const std::string& address, std::uint16_t port) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
  return addr;
}

std::uint16_t free_port(const std::string& address) {
  static std::mt19937 rng{std::random_device{}()};
  std::uniform_int_distribution<int> pick(20000, 31999);
  for (int attempt = 0; attempt < 200; ++attempt) {
    auto port = static_cast<std::uint16_t>(pick(rng));
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    auto addr = ipv4_address(address, port);
    bool free = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
    ::close(fd);
    if (free)
      return port;
  }
  throw std::runtime_error("no free port found on " + address);
}

std::uint16_t free_port_on(const std::vector<std::string>& addresses) {
  while (true) {
    auto port = free_port(addresses.front());
    if (std::none_of(addresses.begin(), addresses.end(), [&](auto& a) { return port_open(a, port); }))
      return port;
  }
}

bool port_open(const std::string& address, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  auto addr = ipv4_address(address, port);
  bool open = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return open;
}

} // namespace plugnode::test
