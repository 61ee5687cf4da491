// epmd_responder: what a BEAM node asks before it dials a node, answered for this node's own name. A BEAM
// node asks EPMD on port 4369 of the peer's host for the peer's distribution port; in a pod nothing else
// answers there, so the node answers EPMD's PORT_PLEASE2 and NAMES requests itself (ERTS "Distribution
// Protocol", "EPMD Protocol"), bound to the node's own address so that nodes on 127.0.0.x each answer for
// themselves. When a real epmd already holds the port, the node registers with it instead (ALIVE2, through
// ei_publish) and keeps that registration's connection open for its lifetime, as a BEAM node does.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <ei.h>

namespace plugnode::runtime::net {
struct pending_client;
}

namespace plugnode::erlang::detail {

class epmd_responder {
public:
  // Answers on `address`:`epmd_port` for `alive` (the node name's app part) with `dist_port`, or registers
  // it with the epmd that holds that port. nullptr with `error` when neither works.
  static std::unique_ptr<epmd_responder> start(const std::string& address, std::uint16_t epmd_port,
                                               const std::string& alive, std::uint16_t dist_port,
                                               ei_cnode& ec, std::string& error);
  ~epmd_responder();
  epmd_responder(const epmd_responder&) = delete;
  epmd_responder& operator=(const epmd_responder&) = delete;

  // "answering on 127.0.0.2:4369" or "registered with the epmd on this host".
  const std::string& mode() const { return mode_; }

private:
  epmd_responder(int listen_fd, int registration_fd, std::string alive, std::uint16_t epmd_port,
                 std::uint16_t dist_port, std::string mode);
  void run();
  // True when done with the client (answered or refused, and closed); false while its request is partial.
  bool answer(runtime::net::pending_client& c);

  int listen_fd_;
  int registration_fd_;
  std::string alive_;
  std::uint16_t epmd_port_;
  std::uint16_t dist_port_;
  std::string mode_;
  int wake_[2] = {-1, -1};
  std::thread thread_;
};

} // namespace plugnode::erlang::detail
