// hostile_dns: a nameserver for tests that plays a forger sitting next to a real one. It listens on UDP at a
// loopback address and a fresh port, and for each query first sends what its trick says (a forged answer
// naming 127.0.0.66, or forged peers at it), then relays the query to the real server (dnsmasq) and its
// answer back from its own address and port. Without a real server it answers nothing but the forgery, so
// the client's deadline is what ends the wait.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "plugnode/discovery/resolver_config.hpp"

namespace plugnode::test {

enum class dns_trick {
  other_address,  // the forgery has the query's ID and question, and comes from the server's port on
                  // another address
  other_port,     // the same from the server's address, but another port
  wrong_id,       // from the server's address and port with the question, but another ID (a stray
                  // datagram, as a late answer to an earlier query is)
  other_question, // from the server's address and port with the query's ID, but another question
};

// The address every forged record names: nothing listens there, and no real answer contains it.
inline const std::string forged_address = "127.0.0.66";

class hostile_dns {
public:
  // Listens on `address` (not 127.0.0.1, the other-address trick's source); relays to `real` when set.
  hostile_dns(std::string address, dns_trick trick, std::optional<discovery::nameserver> real);
  ~hostile_dns();
  hostile_dns(const hostile_dns&) = delete;
  hostile_dns& operator=(const hostile_dns&) = delete;

  discovery::nameserver address() const { return {address_, port_}; }
  // Asks only this server, with `timeout` per try and one try.
  discovery::resolver_config resolver(std::chrono::milliseconds timeout) const;
  // Forged datagrams sent so far (each query gets one).
  int forged() const { return forged_; }
  // Each query so far: where it came from, its ID, and the UDP size its EDNS record offers (0: none).
  struct query {
    std::uint16_t port = 0;
    std::uint16_t id = 0;
    std::uint16_t edns_size = 0;
  };
  std::vector<query> queries() const;

private:
  void run();
  void answer(const std::string& query, const void* client, unsigned client_size);

  std::string address_;
  dns_trick trick_;
  std::optional<discovery::nameserver> real_;
  std::uint16_t port_ = 0;
  int socket_ = -1;       // address_:port_, where queries come and real answers go back from
  int other_socket_ = -1; // the forger's own: 127.0.0.1:port_ or address_ on another port
  std::atomic<bool> stop_{false};
  std::atomic<int> forged_{0};
  mutable std::mutex mutex_;
  std::vector<query> queries_;
  std::thread thread_;
};

} // namespace plugnode::test
