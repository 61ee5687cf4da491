// ei_callbacks: erl_interface's own socket I/O (its default callbacks), wrapped twice through ei's
// user-supplied socket interface: accept notes the peer's address, so a handshake that fails can be logged
// with it; and the handshake's name/challenge message announces two capabilities more than ei does, because
// plugnode implements them itself on top of ei's connection: monitors of registered names (a GenServer.call
// to a missing name gets noproc at once) and spawn requests (how OTP 23+ runs `:rpc.call`). The flags are not
// part of the cookie digest, so the handshake stays ei's.
#pragma once

#include <string>

#include <ei.h>

namespace plugnode::runtime::detail {

ei_socket_callbacks* plugnode_socket_callbacks();

// The address of the peer the calling thread's last ei_accept accepted ("" before any).
std::string& last_accepted_peer();

} // namespace plugnode::runtime::detail
