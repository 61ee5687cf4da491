// stream_slots: the admin listener's event streams shared among client addresses by the network surface's
// rule (an address holds at most its share; when every slot is taken, a client from a fresh address still
// gets one by ending the oldest stream of the address holding the most). Each open stream can hold up to
// the stream buffer of unsent snapshots, so the slots also bound that memory. Thread-safe: streams open on
// the server's threads and end on whichever thread ended them.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "plugnode/plugs/response_stream.hpp"
#include "plugnode/runtime/net/address_budget.hpp"

namespace plugnode::app {

// Held by shared_ptr: a stream's end reaches it through a weak reference, whatever outlives what.
class stream_slots : public std::enable_shared_from_this<stream_slots> {
public:
  stream_slots(std::size_t total, std::size_t per_address) : budget_(total, per_address) {}

  // `address` already holds its share: its next stream is refused.
  bool spent(const std::string& address) const;
  // Gives `stream` a slot, ending another address's oldest stream first if every slot is taken; false
  // (nothing taken) if `address` holds its share. The slot is given back when the stream ends.
  bool admit(const std::string& address, const std::shared_ptr<plugs::response_stream>& stream);
  std::size_t open() const;

private:
  struct held {
    std::string address;
    std::weak_ptr<plugs::response_stream> stream;
    const plugs::response_stream* key;
    std::chrono::steady_clock::time_point since;
  };
  void release(const plugs::response_stream* key);

  mutable std::mutex mutex_;
  runtime::net::address_budget budget_;
  std::vector<held> held_;
};

} // namespace plugnode::app
