// exclusive_port: a loopback port of its own for a cpp-httplib test server. httplib's default socket options
// set SO_REUSEPORT, under which a second process binds a port in use without an error and takes part of its
// connections: two cluster tests running at once once picked the same control port, and one node's commands
// were answered by the other test's node. Here SO_REUSEADDR only, and the port is picked by binding it, so a
// port taken between the pick and the bind is a new pick, never a shared one.
#pragma once

#include <httplib.h>

#include <cstdint>
#include <string>

namespace plugnode::test {

// Makes `server` bind with SO_REUSEADDR only: a port another socket holds is an error.
void exclusive_binds(httplib::Server& server);

// Binds `server` (exclusive_binds) to a port in [20000, 32000) on `address` that no other socket holds;
// returns the port. Throws when none was found.
std::uint16_t bind_free_port(httplib::Server& server, const std::string& address = "127.0.0.1");

} // namespace plugnode::test
