#include "body_budget.hpp"

#include <algorithm>

namespace plugnode::plugs {

// A share as large as the budget is no share: a waiter is then held back by the budget alone, in order.
bool body_budget::over_share(const waiter& w) const {
  if (share_ >= limit_)
    return false;
  auto it = held_by_.find(w.address);
  return it != held_by_.end() && it->second + w.bytes > share_;
}

bool body_budget::queue_blocks() const {
  return std::any_of(waiting_.begin(), waiting_.end(), [this](const waiter& w) { return !over_share(w); });
}

bool body_budget::take(const waiter& w, bool grows) {
  std::lock_guard lock(mutex_);
  if ((grows || !queue_blocks()) && fits(w.bytes) && !over_share(w)) {
    add(w);
    return true;
  }
  if (grows)
    waiting_.push_front(w);
  else
    waiting_.push_back(w);
  return false;
}

void body_budget::give(const std::string& address, std::size_t bytes) {
  if (bytes == 0)
    return;
  std::lock_guard lock(mutex_);
  held_ -= std::min(bytes, held_);
  if (auto it = held_by_.find(address); it != held_by_.end()) {
    it->second -= std::min(bytes, it->second);
    if (it->second == 0)
      held_by_.erase(it);
  }
  held_now_.store(static_cast<std::int64_t>(held_), std::memory_order_relaxed);
  wake_fitting();
}

void body_budget::add(const waiter& w) {
  held_ += w.bytes;
  held_by_[w.address] += w.bytes;
  held_now_.store(static_cast<std::int64_t>(held_), std::memory_order_relaxed);
  if (static_cast<std::int64_t>(held_) > held_peak_.load(std::memory_order_relaxed))
    held_peak_.store(static_cast<std::int64_t>(held_), std::memory_order_relaxed);
}

// In order, first come first served for the budget; a waiter held back by its address's share is passed
// over, not waited for.
void body_budget::wake_fitting() {
  for (auto it = waiting_.begin(); it != waiting_.end();) {
    if (over_share(*it)) {
      ++it;
      continue;
    }
    if (!fits(it->bytes))
      return;
    auto w = std::move(*it);
    it = waiting_.erase(it);
    add(w);
    wake_(w);
  }
}

void body_budget::forget(std::uint32_t index, std::uint32_t generation) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(waiting_.begin(), waiting_.end(),
                         [&](const waiter& w) { return w.index == index && w.generation == generation; });
  if (it == waiting_.end())
    return;
  waiting_.erase(it);
  wake_fitting(); // one behind it may fit where it did not
}

std::size_t body_budget::held() const {
  std::lock_guard lock(mutex_);
  return held_;
}

std::size_t body_budget::held_by(const std::string& address) const {
  std::lock_guard lock(mutex_);
  auto it = held_by_.find(address);
  return it == held_by_.end() ? 0 : it->second;
}

std::size_t body_budget::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

} // namespace plugnode::plugs
