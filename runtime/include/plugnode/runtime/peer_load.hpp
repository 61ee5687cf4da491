// peer_load: one peer's distribution traffic as the node sees it (node::peer_load), for the metrics:
// what went through its outbound budget (dist_send.hpp) and what the kernel counted on its connection.
#pragma once

#include <cstdint>
#include <string>

namespace plugnode::runtime {

struct peer_load {
  std::string node;
  std::uint64_t messages_sent = 0;  // through the budget: runtime::send and held handles
  std::uint64_t bytes_charged = 0;  // their estimated wire size
  std::uint64_t outbound_bytes = 0; // sent, not confirmed by the peer yet: the outbound queue depth
  std::uint64_t holds = 0;          // times a sender was held back
  double held_seconds = 0;          // time senders spent held back
  std::uint64_t waiting = 0;        // senders held right now
  std::uint64_t bytes_sent = 0;     // TCP payload bytes the peer acknowledged (all traffic)
  std::uint64_t bytes_received = 0; // TCP payload bytes received (all traffic)
  std::uint64_t socket_queue = 0;   // bytes in the socket's send queue
  std::uint64_t read_batches = 0;   // recv() calls that returned bytes: bytes_received per read batch
  std::uint64_t write_batches = 0;  // send() calls that took bytes: messages_sent per write batch
};

} // namespace plugnode::runtime
