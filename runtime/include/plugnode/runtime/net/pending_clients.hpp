// pending_clients: connections a listener holds before they have earned anything, bounded so that a flood
// costs a fixed number of slots and never blocks the clients behind it: at most `per_address` from one
// address and `total` in all (when all are taken, the oldest of the address holding the most makes room),
// each closed at its deadline. Used where plugnode serves Erlang's ports itself (the EPMD responder, the
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
};

class pending_clients {
public:
  // `log_kind`: the rate-limited log kind of refused and evicted connections (log_limiter.hpp).
  pending_clients(std::size_t total, std::size_t per_address, std::string_view log_kind);
  ~pending_clients(); // closes every client still held
  pending_clients(const pending_clients&) = delete;
  pending_clients& operator=(const pending_clients&) = delete;

  // The listener's loop: accepts from the non-blocking `listen_fd` (each client due by now + `patience`),
  // calls `ready(client)` whenever a client's socket is readable, closes clients past their deadline, and
  // returns once `wake_fd` is readable. `ready` returns true when done with the client (it then owns or
  // closed the fd).
  void serve_until_woken(int listen_fd, int wake_fd, std::chrono::milliseconds patience,
                         const std::function<bool(pending_client&)>& ready);

private:
  void accept_from(int listen_fd, std::chrono::milliseconds patience);
  void serve(const std::vector<short>& revents, const std::function<bool(pending_client&)>& ready);
  void close_client(std::size_t i, std::string_view why);

  address_budget budget_;
  std::string log_kind_;
  std::vector<pending_client> clients_; // oldest first
};

} // namespace plugnode::runtime::net
