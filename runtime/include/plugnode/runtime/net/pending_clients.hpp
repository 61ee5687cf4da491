// pending_clients: connections a listener holds before they have earned anything, bounded so that a flood
// costs a fixed number of slots and never blocks the clients behind it: at most `per_address` from one
// address and `total` in all (when all are taken, address_budget.hpp picks who makes room), each closed at
// its deadline, a total one that trickling bytes do not extend. What a client sends is read into its own
// buffer as it arrives (never peeked: a peeked socket stays readable and poll would spin on a partial
// request), so a held partial request costs no CPU, and a client whose whole request was read can be closed
// with a FIN rather than a reset. Used where plugnode serves Erlang's ports itself (the EPMD responder, the
// Erlang distribution gate); the distribution port's listener budgets its handshakes the same way.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "plugnode/runtime/net/address_budget.hpp"

namespace plugnode::runtime::net {

struct pending_client {
  int fd = -1;
  std::string address; // what the budget counts by
  std::string peer;    // address:port, for the log
  std::chrono::steady_clock::time_point deadline;
  std::chrono::steady_clock::time_point heard; // accepted, or the last byte came: what eviction goes by
  std::string received;                        // what the client sent so far
};

class pending_clients {
public:
  // `log_kind`: the rate-limited log kind of refused and evicted connections (log_limiter.hpp);
  // `max_request`: the most a client may send before its request must be complete.
  pending_clients(std::size_t total, std::size_t per_address, std::size_t max_request,
                  std::string_view log_kind);
  ~pending_clients(); // closes every client still held
  pending_clients(const pending_clients&) = delete;
  pending_clients& operator=(const pending_clients&) = delete;

  // The listener's loop: accepts from the non-blocking `listen_fd` (each client due by now + `patience`),
  // calls `ready(client)` whenever a client's socket is readable, closes clients past their deadline, and
  // returns once `wake_fd` is readable. `ready` returns true when done with the client (it then owns or
  // closed the fd); false leaves it waiting for more (closed if the client ended its side, or sent
  // `max_request` bytes). `each_turn` runs once per turn of the loop (at least every 50 ms).
  void serve_until_woken(int listen_fd, int wake_fd, std::chrono::milliseconds patience,
                         const std::function<bool(pending_client&)>& ready,
                         const std::function<void()>& each_turn = {});

private:
  void accept_from(int listen_fd, std::chrono::milliseconds patience,
                   const std::function<bool(pending_client&)>& ready);
  void serve(const std::vector<short>& revents, const std::function<bool(pending_client&)>& ready);
  bool read_from(pending_client& c); // false when the client ended its side or failed
  enum class outcome { served, waiting, failed };
  // Reads what `c` sent and offers it to `ready`; `why` says why a failed client is to be closed.
  outcome offer(pending_client& c, const std::function<bool(pending_client&)>& ready, std::string& why);
  void close_client(std::size_t i, std::string_view why);

  address_budget budget_;
  std::size_t max_request_;
  std::string log_kind_;
  std::vector<pending_client> clients_; // oldest first
};

} // namespace plugnode::runtime::net
