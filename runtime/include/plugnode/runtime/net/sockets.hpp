// sockets: the socket calls every listener and dialler of the node makes the same way, in one place: an
// address as numeric text, a wait bounded by a deadline, a non-blocking connect with a deadline, and a
// listening socket that refuses to share its port.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace plugnode::runtime::net {

using clock = std::chrono::steady_clock;

struct endpoint {
  std::string address; // numeric: "127.0.0.1", "::1"
  std::uint16_t port = 0;
};

// The numeric address and port of an IPv4 or IPv6 socket address; nullopt for any other family.
std::optional<endpoint> endpoint_of(const sockaddr* addr);
// The far end (getpeername) or the near end (getsockname) of a socket.
std::optional<endpoint> peer_endpoint(int fd);
std::optional<endpoint> local_endpoint(int fd);

// poll() on one descriptor until `deadline`: > 0 ready, 0 the deadline passed, < 0 an error (errno).
int poll_until(int fd, short events, clock::time_point deadline);

// A connected, non-blocking TCP socket to `address`:`port` (numeric), or -1 with `error` (one line) once
// the connection is refused, fails, or is not made by `deadline`.
int connect_by(const std::string& address, std::uint16_t port, clock::time_point deadline,
               std::string& error);

// A non-blocking listening TCP socket on `address`:`port` ("" or "0.0.0.0": every IPv4 address; port 0: any).
// SO_REUSEADDR only, never SO_REUSEPORT: a second process on the same address and port must fail, not share
// the traffic. -1 with `error` on failure, errno kept (EADDRINUSE tells "taken" apart).
int open_listener(const std::string& address, std::uint16_t port, int backlog, std::string& error);

} // namespace plugnode::runtime::net
