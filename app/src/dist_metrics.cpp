// The per-peer distribution metrics of dist_metrics.hpp.
#include "plugnode/app/dist_metrics.hpp"

#include "metric_families.hpp"
#include "plugnode/runtime/node.hpp"

namespace plugnode::app {
namespace {

// Counters only go up: a value below the series' (a peer that reconnected) starts a new series.
void set_counter(prometheus::Family<prometheus::Counter>& family, const std::string& peer, double value) {
  auto* c = &family.Add({{"peer", peer}});
  if (value < c->Value()) {
    family.Remove(c);
    c = &family.Add({{"peer", peer}});
  }
  c->Increment(value - c->Value());
}

template <class Family> void remove(Family& family, const std::string& peer) {
  family.Remove(&family.Add({{"peer", peer}}));
}

} // namespace

dist_metrics::dist_metrics(prometheus::Registry& registry, const runtime::node& node)
    : node_(node), messages_sent_(counters(registry, "plugnode_dist_messages_sent_total",
                                           "Messages sent to the peer through its outbound budget.")),
      bytes_sent_(counters(registry, "plugnode_dist_sent_bytes_total",
                           "Bytes on the peer's connection that the peer acknowledged (TCP).")),
      bytes_received_(counters(registry, "plugnode_dist_received_bytes_total",
                               "Bytes received on the peer's connection.")),
      holds_(counters(registry, "plugnode_dist_sender_holds_total",
                      "Times a sender was held back because the peer's outbound budget was full.")),
      held_seconds_(counters(registry, "plugnode_dist_sender_held_seconds_total",
                             "Time senders to the peer spent held back, summed over senders.")),
      outbound_(gauges(registry, "plugnode_dist_outbound_bytes",
                       "Bytes sent to the peer that it has not confirmed yet (outbound queue depth).")),
      socket_queue_(gauges(registry, "plugnode_dist_socket_queue_bytes",
                           "Bytes in the peer connection's socket send queue.")),
      waiting_(gauges(registry, "plugnode_dist_waiting_senders", "Senders held back right now.")),
      read_batches_(counters(registry, "plugnode_dist_read_batches_total",
                             "Reads (recv calls) on the peer's connection that returned bytes; received "
                             "bytes per read batch = plugnode_dist_received_bytes_total / this.")),
      write_batches_(counters(registry, "plugnode_dist_write_batches_total",
                              "Writes (send calls) on the peer's connection; messages per write batch = "
                              "plugnode_dist_messages_sent_total / this.")) {}

void dist_metrics::update() {
  auto peers = node_.peer_load();
  std::lock_guard<std::mutex> guard(mutex_);
  for (auto& known : known_)
    known.second = false;
  for (auto& p : peers) {
    known_[p.node] = true;
    set_counter(messages_sent_, p.node, static_cast<double>(p.messages_sent));
    set_counter(bytes_sent_, p.node, static_cast<double>(p.bytes_sent));
    set_counter(bytes_received_, p.node, static_cast<double>(p.bytes_received));
    set_counter(holds_, p.node, static_cast<double>(p.holds));
    set_counter(held_seconds_, p.node, p.held_seconds);
    set_counter(read_batches_, p.node, static_cast<double>(p.read_batches));
    set_counter(write_batches_, p.node, static_cast<double>(p.write_batches));
    outbound_.Add({{"peer", p.node}}).Set(static_cast<double>(p.outbound_bytes));
    socket_queue_.Add({{"peer", p.node}}).Set(static_cast<double>(p.socket_queue));
    waiting_.Add({{"peer", p.node}}).Set(static_cast<double>(p.waiting));
  }
  for (auto i = known_.begin(); i != known_.end();) {
    if (i->second) {
      ++i;
      continue;
    }
    for (auto* family : {&messages_sent_, &bytes_sent_, &bytes_received_, &holds_, &held_seconds_,
                         &read_batches_, &write_batches_})
      remove(*family, i->first);
    for (auto* family : {&outbound_, &socket_queue_, &waiting_})
      remove(*family, i->first);
    i = known_.erase(i);
  }
}

} // namespace plugnode::app
