// raw_client: a bare TCP connection from a chosen 127.0.0.x address, for tests that speak a protocol by hand
// or play a hostile client (an intruder skipping the cookie handshake, a half request, a slow reader). Every
// wait is bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace plugnode::test {

class raw_client {
public:
  // Connects from `local_address` (any port) to address:port; connected() tells whether it worked.
  raw_client(const std::string& local_address, const std::string& address, std::uint16_t port);
  // The same from whatever address the kernel picks.
  raw_client(const std::string& address, std::uint16_t port);
  ~raw_client();
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  bool connected() const { return fd_ >= 0; }
  // False once the peer has closed or reset the connection (never a SIGPIPE).
  bool send(const std::string& bytes);
  int fd() const { return fd_; }
  // Reads until `count` bytes arrived, the peer closed the connection, or `timeout` passed.
  std::string read(std::size_t count, std::chrono::milliseconds timeout);
  // Reads until the peer closes the connection or `timeout` passes; closed() tells which.
  std::string read_to_end(std::chrono::milliseconds timeout);
  bool closed() const { return closed_; }

private:
  int fd_ = -1;
  bool closed_ = false;
};

} // namespace plugnode::test
