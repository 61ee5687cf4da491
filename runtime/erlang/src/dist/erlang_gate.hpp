// erlang_gate: what stands between the Erlang distribution port and ei's accept handshake. ei's acceptors
// block on one connection each for up to the handshake timeout, so silent or trickling clients could hold
// them all and keep every BEAM node out (40 idle connections did, before the gate). The gate accepts every
// connection itself and holds it (pending_clients.hpp: at most 8 per address, 128 in all, 1 s) until the
// peer's first handshake message (send_name) has fully arrived; only then may an acceptor take it, and at
// most 2 handshakes per address run at once. ei's accept callback (ei_callbacks.hpp) takes connections from
// the gate instead of the listening socket.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>

namespace plugnode::runtime::net {
struct pending_client;
}

namespace plugnode::erlang::detail {

class erlang_gate {
public:
  struct connection {
    int fd = -1; // blocking, as ei's own accept returns it
    std::string address;
    std::string peer; // address:port
  };

  explicit erlang_gate(int listen_fd); // starts the gate's thread on the non-blocking `listen_fd`
  ~erlang_gate();                      // stops, and ends the gate's thread
  // From now on take() returns at once with nothing, and connections not taken yet are closed.
  void stop();
  erlang_gate(const erlang_gate&) = delete;
  erlang_gate& operator=(const erlang_gate&) = delete;

  // The next connection whose first message is there; fd -1 after `timeout` or once the gate stops.
  connection take(std::chrono::milliseconds timeout);
  // The handshake of a connection from `address` that take() gave ended (either way).
  void done(const std::string& address);

private:
  void run();
  bool admit(runtime::net::pending_client& c); // true when done with the client here

  int listen_fd_;
  int wake_[2] = {-1, -1};
  std::mutex mutex_;
  std::condition_variable ready_cv_;
  std::deque<connection> ready_;
  std::map<std::string, std::size_t> handshaking_; // ready or with an acceptor, by address
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace plugnode::erlang::detail
