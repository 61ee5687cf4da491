// ports: loopback ports for tests. Always below 32768, so no client's outgoing connection (the ephemeral
// range starts there) can hold the port a test server wants.
#pragma once

#include <netinet/in.h>

#include <cstdint>
#include <string>
#include <vector>

namespace plugnode::test {

// A TCP port in [20000, 32000) that is free on `address` right now (chosen at random, then checked by
// binding).
std::uint16_t free_port(const std::string& address = "127.0.0.1");

// A port free on every one of `addresses` (a port pods share, each on its own address).
std::uint16_t free_port_on(const std::vector<std::string>& addresses);

// The socket address of an IPv4 literal and a port.
sockaddr_in ipv4_address(const std::string& address, std::uint16_t port);

// True when something accepts TCP connections on address:port.
bool port_open(const std::string& address, std::uint16_t port);

} // namespace plugnode::test
