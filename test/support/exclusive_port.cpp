// The exclusive port of exclusive_port.hpp.
#include "plugnode/test/exclusive_port.hpp"

#include <sys/socket.h>

#include <stdexcept>

#include "plugnode/test/ports.hpp"

namespace plugnode::test {

void exclusive_binds(httplib::Server& server) {
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
}

std::uint16_t bind_free_port(httplib::Server& server, const std::string& address) {
  exclusive_binds(server);
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto port = free_port(address);
    if (server.bind_to_port(address, port))
      return port;
  }
  throw std::runtime_error("no port of its own found on " + address);
}

} // namespace plugnode::test
