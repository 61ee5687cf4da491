// handshake_socket: one TCP connection while it runs the wire handshake (wire_handshake.hpp), on a
// non-blocking socket. The listener drives many of these from one thread, the dialer
// one; neither ever blocks on a peer beyond its deadline.
#pragma once

#include <chrono>
#include <string>

#include "dist/wire_handshake.hpp"

namespace plugnode::runtime::detail {

struct handshake_socket {
  handshake_socket(int socket, wire_handshake hs, std::chrono::steady_clock::time_point until);

  int fd;
  std::string address; // the peer's address, what the listener budgets by
  std::string peer;    // "address:port", for the log
  bool heard = false;  // a byte came from the peer
  std::chrono::steady_clock::time_point last_heard =
      std::chrono::steady_clock::now(); // or accepted: eviction
  wire_handshake handshake;
  std::chrono::steady_clock::time_point deadline;
  std::string outbox;
  // A peer whose cookie proof was wrong is held, unread, until then before the close (set once; the epoch
  // while not held): a guess at the cookie costs its sender this wait, and the listener no thread.
  std::chrono::steady_clock::time_point held_until{};
};

// Moves bytes between the socket and the handshake until the socket would block. `authenticated` only once
// the last frame is sent too, so the connection can go to CAF as it is.
wire_handshake::state pump(handshake_socket& s);

// The poll(2) events `s` waits for (none while it is held).
short poll_events(const handshake_socket& s);

} // namespace plugnode::runtime::detail
