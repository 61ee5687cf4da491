// socket_drop: closes this process's TCP connection to one peer. CAF 0.17 has no API to drop the connection
// of one node, so the agent finds the socket by its peer address (as CAF's BASP broker reports it) and shuts
// it down; CAF's multiplexer then sees the connection close and cleans up as for any closed connection
// (proxies die, monitors fire).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace plugnode::runtime::net {

// The peer of `fd` as address text and port; false when fd is not a connected IP socket.
bool peer_of(int fd, std::string& address, std::uint16_t& port);

// Calls `visit` with every socket of this process connected to address:port (an IPv4 address also
// matches its IPv6-mapped form).
void each_socket_to(const std::string& address, std::uint16_t port, const std::function<void(int fd)>& visit);

// True when `fd` is still connected to address:port (a socket found before may have been closed and its
// number reused).
bool connected_to(int fd, const std::string& address, std::uint16_t port);

// Makes close(fd) send a reset rather than a FIN: a flood's refused connections then leave no TIME_WAIT
// entry each.
void reset_on_close(int fd);

// Shuts down every socket of this process connected to address:port; returns how many.
int shutdown_connections_to(const std::string& address, std::uint16_t port);

} // namespace plugnode::runtime::net
