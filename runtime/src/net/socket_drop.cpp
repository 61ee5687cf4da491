// Finding and dropping one peer's connection by its address; see socket_drop.hpp.
#include "plugnode/runtime/net/socket_drop.hpp"

#include <arpa/inet.h>
#include <dirent.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <cstdlib>
#include <string_view>

#include "plugnode/runtime/net/sockets.hpp"

namespace plugnode::runtime::net {
namespace {

std::string_view without_v4_mapping(std::string_view address) {
  constexpr std::string_view prefix = "::ffff:";
  if (address.substr(0, prefix.size()) == prefix && address.find('.') != std::string_view::npos)
    address.remove_prefix(prefix.size());
  return address;
}

} // namespace

void reset_on_close(int fd) {
  linger reset{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &reset, sizeof reset);
}

bool peer_of(int fd, std::string& address, std::uint16_t& port) {
  auto peer = peer_endpoint(fd);
  if (!peer)
    return false;
  address = std::move(peer->address);
  port = peer->port;
  return true;
}

bool connected_to(int fd, const std::string& address, std::uint16_t port) {
  std::string peer;
  std::uint16_t peer_port = 0;
  return peer_of(fd, peer, peer_port) && peer_port == port &&
         without_v4_mapping(peer) == without_v4_mapping(address);
}

void each_socket_to(const std::string& address, std::uint16_t port,
                    const std::function<void(int fd)>& visit) {
  DIR* dir = ::opendir("/proc/self/fd");
  if (!dir)
    return;
  while (auto* entry = ::readdir(dir)) {
    char* end = nullptr;
    long fd = std::strtol(entry->d_name, &end, 10);
    if (end == entry->d_name || *end != '\0' || fd == ::dirfd(dir))
      continue;
    struct stat info {};
    if (::fstat(static_cast<int>(fd), &info) != 0 || !S_ISSOCK(info.st_mode))
      continue;
    if (connected_to(static_cast<int>(fd), address, port))
      visit(static_cast<int>(fd));
  }
  ::closedir(dir);
}

int shutdown_connections_to(const std::string& address, std::uint16_t port) {
  int dropped = 0;
  each_socket_to(address, port, [&](int fd) {
    if (::shutdown(fd, SHUT_RDWR) == 0)
      ++dropped;
  });
  return dropped;
}

} // namespace plugnode::runtime::net
