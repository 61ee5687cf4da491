// tuned_server: cpp-httplib's Server with the connection loop replaced. Debian's 0.11.4 accepts any header
// block: lines without a colon are silently dropped and there is no bound on the block's size, so a client
// can send megabytes of headers. Our stream checks each header line as cpp-httplib reads it, answers 400 and
// closes the connection on a bad one, and bounds the block. The loop also sees stop() within 20 ms on idle
// keep-alive connections (the library's waits out the keep-alive timeout), and the backlog is raised.
#pragma once

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <cstddef>

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

protected:
  bool process_and_close_socket(socket_t sock) override;

private:
  connection_limits limits_;
};

} // namespace plugnode::plugs
