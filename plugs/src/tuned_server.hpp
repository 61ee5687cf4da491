// tuned_server: cpp-httplib's Server with the connection loop replaced. Debian's 0.11.4 accepts any header
// block: lines without a colon are silently dropped and there is no bound on the block's size, so a client
// can send megabytes of headers. Our stream checks each header line as cpp-httplib reads it, answers 400 and
// closes the connection on a bad one, and bounds the block. The loop also sees stop() within 20 ms on idle
// keep-alive connections (the library's waits out the keep-alive timeout), and the backlog is raised. With
// watch_deadlines(), a handler still running at its deadline has its 503 sent for it (deadline_watch.hpp).
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <memory>

#include "deadline_watch.hpp"

namespace plugnode::plugs {

struct connection_limits {
  std::size_t keep_alive_max_requests = 1000;
  std::chrono::milliseconds keep_alive_timeout{5000};
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  std::size_t max_header_bytes = std::size_t{16} << 10; // request line and headers together
};

class tuned_server : public httplib::Server {
public:
  explicit tuned_server(connection_limits limits) : limits_(limits) {}

  // cpp-httplib listens with a backlog of 5: listening again on its (protected) socket raises it, which
  // removes listen-queue overflows and the 1 s SYN retry stalls they cause.
  void raise_backlog(int backlog) { ::listen(svr_sock_, backlog); }

  // Before listening: answer 503 for handlers that run past the deadline given to arm(), within `precision`.
  void watch_deadlines(std::chrono::milliseconds precision);
  // In a handler, on its worker thread: arm() before the slow part, disarm() before writing the response;
  // disarm() returns false when the 503 already went out (the response will be dropped with the connection).
  void arm(std::chrono::steady_clock::time_point deadline, bool head_request) {
    if (watch_)
      watch_->arm(deadline, head_request);
  }
  bool disarm() { return !watch_ || watch_->disarm(); }

protected:
  bool process_and_close_socket(socket_t sock) override;

private:
  connection_limits limits_;
  std::unique_ptr<deadline_watch> watch_;
};

} // namespace plugnode::plugs
