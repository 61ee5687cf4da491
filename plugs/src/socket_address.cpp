// getsockname/getpeername into numeric text; see socket_address.hpp.
#include "socket_address.hpp"

#include <netdb.h>
#include <sys/socket.h>

namespace plugnode::plugs {

socket_address address_of(int socket, socket_end end) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  auto* raw = reinterpret_cast<sockaddr*>(&addr);
  if ((end == socket_end::peer ? ::getpeername(socket, raw, &len) : ::getsockname(socket, raw, &len)) != 0)
    return {};
  char host[NI_MAXHOST];
  char serv[NI_MAXSERV];
  if (::getnameinfo(raw, len, host, sizeof host, serv, sizeof serv, NI_NUMERICHOST | NI_NUMERICSERV) != 0)
    return {};
  return {host, std::stoi(serv)};
}

} // namespace plugnode::plugs
