// connection_flood: the hostile client of the distribution port's fairness test. It holds `sockets`
// connections from one local address, sends nothing on them, and opens a new one as soon as the node closes
// one, until it is destroyed: the flood that once locked every real peer out of the handshake.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>

namespace plugnode::test {

class connection_flood {
public:
  connection_flood(std::string local_address, std::string address, std::uint16_t port, std::size_t sockets);
  ~connection_flood(); // stops and closes every socket
  connection_flood(const connection_flood&) = delete;
  connection_flood& operator=(const connection_flood&) = delete;

  std::uint64_t connects() const { return connects_; } // connections opened so far

private:
  void run();

  std::string local_;
  std::string address_;
  std::uint16_t port_;
  std::size_t sockets_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> connects_{0};
  std::thread thread_;
};

} // namespace plugnode::test
