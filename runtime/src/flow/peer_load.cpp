// node::peer_load: the budgets' and the connections' counters; see peer_load.hpp.
#include "plugnode/runtime/peer_load.hpp"

#include "flow/peer_directory.hpp"
#include "plugnode/runtime/node.hpp"

namespace plugnode::runtime {

std::vector<peer_load> node::peer_load() const {
  std::vector<runtime::peer_load> out;
  if (!directory_)
    return out;
  for (auto& peer : directory_->load()) {
    runtime::peer_load p;
    p.node = peer.name;
    auto c = peer.budget->counters();
    p.messages_sent = c.messages;
    p.bytes_charged = c.bytes;
    p.outbound_bytes = c.in_flight;
    p.holds = c.held;
    p.held_seconds = std::chrono::duration<double>(c.held_time).count();
    p.waiting = c.waiting;
    if (auto tcp = peer.traffic->read()) {
      p.bytes_sent = tcp->sent;
      p.bytes_received = tcp->received;
      p.socket_queue = tcp->queued;
      p.read_batches = tcp->reads;
      p.write_batches = tcp->writes;
    }
    out.push_back(std::move(p));
  }
  return out;
}

} // namespace plugnode::runtime
