// erlang_gate: what stands between the Erlang distribution port and ei's accept handshake. ei's acceptors
// block on one connection each, so silent or trickling clients could hold them all and keep every BEAM node
// out (40 idle connections did, before the gate; 64 trickling ones from 32 addresses did, before the
// eviction below). The gate accepts every connection itself and holds it (pending_clients.hpp: at most 8 per
// address, 128 in all, 1 s in total) until the peer's first handshake message (send_name) has fully arrived,
// read into the connection's buffer (ei is handed those bytes, ei_callbacks.hpp); only then may an acceptor
// take it, and at most 2 handshakes per address are queued or running at once. Each address has a weight:
// its handshakes queued or running, plus those that failed or were evicted in the last 10 s. Acceptors take
// the queued connection of the lightest address first (the oldest on a tie); when 16 wait, the heaviest
// address's oldest is closed. While connections wait and every acceptor is busy, a handshake that has run
// 500 ms (a real one takes milliseconds) is evicted (shut down) when its address weighs at least as much as
// the next one waiting: the heaviest address's oldest. So strangers whose handshakes stall share the
// acceptors among themselves, and a peer from a fresh address gets one at once; each handshake also ends at
// its total deadline (ei_callbacks.hpp).
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "plugnode/runtime/net/address_budget.hpp"

namespace plugnode::runtime::net {
struct pending_client;
}

namespace plugnode::erlang::detail {

class erlang_gate {
public:
  struct connection {
    int fd = -1; // blocking, as ei's own accept returns it
    std::string address;
    std::string peer;     // address:port
    std::string received; // what the peer sent so far (its send_name at least), for ei to read first
  };

  // Starts the gate's thread on the non-blocking `listen_fd`, for `acceptors` threads calling take().
  erlang_gate(int listen_fd, std::size_t acceptors);
  ~erlang_gate(); // stops, and ends the gate's thread
  // From now on take() returns at once with nothing, connections not taken yet are closed, and handshakes
  // running end at once.
  void stop();
  erlang_gate(const erlang_gate&) = delete;
  erlang_gate& operator=(const erlang_gate&) = delete;

  // The next connection whose first message is there; fd -1 after `timeout` or once the gate stops.
  connection take(std::chrono::milliseconds timeout);
  // The handshake on `fd`, which take() gave, ended, `authenticated` or not; called before fd is closed.
  void done(int fd, bool authenticated);

private:
  using time_point = std::chrono::steady_clock::time_point;
  struct queued {
    connection c;
    time_point since;
  };
  struct running {
    int fd;
    std::string address;
    std::string peer;
    time_point since;
    bool evicted = false;
  };

  void run();
  bool admit(runtime::net::pending_client& c);          // true when done with the client here
  void make_room();                                     // the eviction above; under mutex_
  std::deque<queued>::iterator next_queued();           // the one take() gives next; under mutex_
  std::size_t weight(const std::string& address) const; // under mutex_
  void strike(const std::string& address);              // a failed handshake; under mutex_

  int listen_fd_;
  std::size_t acceptors_;
  int wake_[2] = {-1, -1};
  std::mutex mutex_;
  std::condition_variable ready_cv_;
  std::size_t idle_ = 0; // acceptors waiting in take()
  std::deque<queued> ready_;
  std::vector<running> running_;
  runtime::net::address_budget handshakes_; // queued or running, by address
  struct strikes {
    std::size_t count = 0;
    time_point last;
  };
  std::map<std::string, strikes> strikes_; // failed or evicted handshakes of the last 10 s, by address
  bool stopping_ = false;
  std::thread thread_;
};

} // namespace plugnode::erlang::detail
