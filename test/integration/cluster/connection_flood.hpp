// connection_flood: the hostile client of the listeners' fairness tests. It holds `per_address` connections
// from each of its local addresses, sends `opening` on each (nothing, or the start of a request that never
// ends), and opens a new one as soon as the node closes one, until it is destroyed: the floods that once
// locked every real peer out of a handshake (500 idle sockets from one address; one pending handshake from
// each of 200 addresses).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace plugnode::test {

class connection_flood {
public:
  connection_flood(std::vector<std::string> local_addresses, std::string address, std::uint16_t port,
                   std::size_t per_address, std::string opening = "");
  connection_flood(std::string local_address, std::string address, std::uint16_t port, std::size_t sockets)
      : connection_flood(std::vector<std::string>{std::move(local_address)}, std::move(address), port,
                         sockets) {}
  ~connection_flood(); // stops and closes every socket
  connection_flood(const connection_flood&) = delete;
  connection_flood& operator=(const connection_flood&) = delete;

  std::uint64_t connects() const { return connects_; } // connections opened so far

private:
  void run();

  std::vector<std::string> locals_;
  std::string address_;
  std::uint16_t port_;
  std::size_t per_address_;
  std::string opening_;
  std::atomic<bool> stop_{false};
  std::atomic<std::uint64_t> connects_{0};
  std::thread thread_;
};

// 127.0.1.1, 127.0.1.2, ...: `count` source addresses (at most 254 per third byte), none of which a node or a
// legitimate client of the tests uses.
std::vector<std::string> flood_addresses(std::size_t count);

} // namespace plugnode::test
