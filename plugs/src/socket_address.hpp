// socket_address: the numeric address and port at either end of a connected socket, for log lines.
#pragma once

#include <string>

namespace plugnode::plugs {

struct socket_address {
  std::string ip; // empty when the socket has no such end (closed, or not connected)
  int port = 0;
};

enum class socket_end { local, peer };

socket_address address_of(int socket, socket_end end);

} // namespace plugnode::plugs
