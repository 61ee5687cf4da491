// raw_client: a bare TCP connection to a node's distribution port, for tests that play an intruder who
// skips (or fails) the cookie handshake. Every wait is bounded.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace plugnode::test {

class raw_client {
public:
  // Connects from `local_address` (any port) to address:port; connected() tells whether it worked.
  raw_client(const std::string& local_address, const std::string& address, std::uint16_t port);
  ~raw_client();
  raw_client(const raw_client&) = delete;
  raw_client& operator=(const raw_client&) = delete;

  bool connected() const { return fd_ >= 0; }
  void send(const std::string& bytes);
  // Reads until `count` bytes arrived, the peer closed the connection, or `timeout` passed.
  std::string read(std::size_t count, std::chrono::milliseconds timeout);
  // Reads until the peer closes the connection or `timeout` passes; closed() tells which.
  std::string read_to_end(std::chrono::milliseconds timeout);
  bool closed() const { return closed_; }

private:
  int fd_ = -1;
  bool closed_ = false;
};

// A frame of the wire handshake (runtime/src/wire_handshake.hpp): 2-byte length, then the body.
std::string handshake_frame(const std::string& body);

} // namespace plugnode::test
