// dist_listener: the distribution port. plugnode owns the listening socket instead of CAF (no
// middleman().publish), so that every accepted connection first runs the responder's wire handshake
// (wire_handshake.hpp) within a deadline on a thread of its own, and only a peer that proved the cookie is
// handed to CAF's BASP broker (basp_handoff.hpp). Anything else gets at most the handshake's challenge frame
// and is closed, logged with its address; it never reaches an actor.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace plugnode::runtime::detail {

struct listen_settings {
  std::string address; // bind address (IPv4 or IPv6 literal, or a name getaddrinfo resolves)
  std::uint16_t port = 0;
  std::string self; // this node's name
  std::string cookie;
  std::chrono::milliseconds handshake_timeout{5000}; // from accept to the end of the handshake
  caf::actor agent;                                  // served to peers as the actor published at the port
  caf::actor basp;                                   // basp_broker()
};

class dist_listener {
public:
  // Binds and starts the thread; nullptr with `error` set when the port cannot be opened.
  static std::unique_ptr<dist_listener> open(caf::actor_system& system, listen_settings settings,
                                             std::string& error);
  ~dist_listener(); // stops accepting and closes the handshakes still running
  dist_listener(const dist_listener&) = delete;
  dist_listener& operator=(const dist_listener&) = delete;

  std::uint16_t port() const { return port_; } // the bound port (differs from the setting when it was 0)

private:
  dist_listener(caf::actor_system& system, listen_settings settings, int fd, std::uint16_t port);
  void run();

  caf::actor_system& system_;
  listen_settings settings_;
  int fd_;
  std::uint16_t port_;
  int wake_[2] = {-1, -1}; // a pipe that ends the thread's poll at once on stop
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

} // namespace plugnode::runtime::detail
