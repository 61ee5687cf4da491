// ei_callbacks: erl_interface's own socket I/O (its default callbacks), wrapped through ei's user-supplied
// socket interface. Every wait is a poll() of ours: libei's own select() breaks on descriptors from 1024 up.
// Accept takes its connections from the listening socket's Erlang gate (erlang_gate.hpp), with the bytes the
// gate read already, and notes the peer's address, so a handshake that fails can be logged with it. Writes
// are send(2) with MSG_NOSIGNAL (never SIGPIPE), and each accept's or connect's handshake has a total
// deadline, its timeout from the accept or connect on, that a peer trickling bytes cannot extend (ei's own
// timeout is per read). The deadline holds for every ei call on that thread until the next accept or
// connect: plugnode calls ei only for handshakes (and the EPMD registration), never after. The handshake's
// name/challenge message announces two capabilities more than ei does, because plugnode implements them
// itself on top of ei's connection: monitors of registered names (a GenServer.call to a missing name gets
// noproc at once) and spawn requests (how OTP 23+ runs `:rpc.call`). The flags are not part of the cookie
// digest, so the handshake stays ei's.
#pragma once

#include <string>

#include <ei.h>

namespace plugnode::erlang::detail {

ei_socket_callbacks* plugnode_socket_callbacks();

class erlang_gate;

// The peer (address:port) the calling thread's last ei_accept accepted ("" before any), and its address.
std::string& last_accepted_peer();
std::string& last_accepted_address();

// The calling thread's ei_accept returned, `authenticated` or not: its gate forgets the connection (once;
// ei's close of a failed one does this first).
void handshake_over(bool authenticated);

// ei_accept on `listen_fd` takes connections from `gate` from now on (nullptr: the gate is gone, accept
// fails).
void take_accepts_from(int listen_fd, erlang_gate* gate);

// True when ei's default callbacks use a descriptor as a connection's context, as the gate relies on.
bool contexts_are_descriptors();

} // namespace plugnode::erlang::detail
