#include "body_budget.hpp"

#include <algorithm>

namespace plugnode::plugs {

bool body_budget::take(const waiter& w, bool grows) {
  std::lock_guard lock(mutex_);
  if ((waiting_.empty() || grows) && fits(w.bytes)) {
    add(w.bytes);
    return true;
  }
  if (grows)
    waiting_.push_front(w);
  else
    waiting_.push_back(w);
  return false;
}

void body_budget::give(std::size_t bytes) {
  if (bytes == 0)
    return;
  std::lock_guard lock(mutex_);
  held_ -= std::min(bytes, held_);
  held_now_.store(static_cast<std::int64_t>(held_), std::memory_order_relaxed);
  wake_fitting();
}

void body_budget::add(std::size_t bytes) {
  held_ += bytes;
  held_now_.store(static_cast<std::int64_t>(held_), std::memory_order_relaxed);
  if (static_cast<std::int64_t>(held_) > held_peak_.load(std::memory_order_relaxed))
    held_peak_.store(static_cast<std::int64_t>(held_), std::memory_order_relaxed);
}

void body_budget::wake_fitting() {
  while (!waiting_.empty() && fits(waiting_.front().bytes)) {
    auto w = waiting_.front();
    waiting_.pop_front();
    add(w.bytes);
    wake_(w);
  }
}

void body_budget::forget(std::uint32_t index, std::uint32_t generation) {
  std::lock_guard lock(mutex_);
  auto it = std::find_if(waiting_.begin(), waiting_.end(),
                         [&](const waiter& w) { return w.index == index && w.generation == generation; });
  if (it == waiting_.end())
    return;
  bool was_first = it == waiting_.begin();
  waiting_.erase(it);
  if (was_first)
    wake_fitting(); // the one behind it may fit where it did not
}

std::size_t body_budget::held() const {
  std::lock_guard lock(mutex_);
  return held_;
}

std::size_t body_budget::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_.size();
}

} // namespace plugnode::plugs
