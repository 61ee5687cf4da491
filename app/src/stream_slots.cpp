// stream_slots: see stream_slots.hpp.
#include "stream_slots.hpp"

#include <algorithm>

namespace plugnode::app {

bool stream_slots::spent(const std::string& address) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return budget_.spent(address);
}

std::size_t stream_slots::open() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return held_.size();
}

bool stream_slots::admit(const std::string& address, const std::shared_ptr<plugs::response_stream>& stream) {
  std::shared_ptr<plugs::response_stream> evicted;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (budget_.spent(address))
      return false;
    if (budget_.full()) {
      auto pick = budget_.evictee(
          held_.begin(), held_.end(), [](const held& h) -> const std::string& { return h.address; },
          [](const held& h) { return h.since; });
      if (pick != held_.end()) {
        evicted = pick->stream.lock();
        budget_.give_back(pick->address);
        held_.erase(pick);
      }
    }
    budget_.take(address);
    held_.push_back({address, stream, stream.get(), std::chrono::steady_clock::now()});
  }
  // Outside the lock: ending a stream runs its on_close, which releases (finding nothing for the evicted).
  if (evicted)
    evicted->close();
  stream->on_close([slots = weak_from_this(), key = stream.get()] {
    if (auto alive = slots.lock())
      alive->release(key);
  });
  return true;
}

void stream_slots::release(const plugs::response_stream* key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = std::find_if(held_.begin(), held_.end(), [key](const held& h) { return h.key == key; });
  if (it == held_.end())
    return;
  budget_.give_back(it->address);
  held_.erase(it);
}

} // namespace plugnode::app
