// Accounting of one peer's outbound budget; see outbound_budget.hpp.
#include "flow/outbound_budget.hpp"

namespace plugnode::runtime::detail {

outbound_budget::charge_result outbound_budget::charge(std::uint64_t bytes) {
  std::lock_guard<std::mutex> guard(mutex_);
  charge_result out;
  charged_ += bytes;
  ++messages_;
  if (closed_)
    return out;
  if (charged_ - last_mark_ >= mark_every_) {
    last_mark_ = charged_;
    out.mark = charged_;
  }
  if (meter_)
    out.probe = meter_->charge(bytes);
  out.full = !room_locked();
  return out;
}

bool outbound_budget::credit(std::uint64_t position) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (position > credited_)
    credited_ = position;
  return wake_locked();
}

bool outbound_budget::recheck() {
  std::lock_guard<std::mutex> guard(mutex_);
  return wake_locked();
}

bool outbound_budget::wake_locked() {
  if (blocked_ > 0 && room_locked(true))
    room_.notify_all();
  return room_locked();
}

bool outbound_budget::has_room() {
  std::lock_guard<std::mutex> guard(mutex_);
  return room_locked();
}

std::uint64_t outbound_budget::unconfirmed() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return charged_ > credited_ ? charged_ : 0;
}

void outbound_budget::close() {
  std::lock_guard<std::mutex> guard(mutex_);
  closed_ = true;
  wake_locked();
}

bool outbound_budget::closed() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return closed_;
}

void outbound_budget::hold(waiter w) {
  std::lock_guard<std::mutex> guard(mutex_);
  ++held_;
  waiters_.push_back(std::move(w));
}

std::vector<outbound_budget::waiter> outbound_budget::release() {
  std::lock_guard<std::mutex> guard(mutex_);
  auto now = std::chrono::steady_clock::now();
  for (auto& w : waiters_)
    held_time_ += now - w.since;
  std::vector<waiter> out;
  out.swap(waiters_);
  return out;
}

void outbound_budget::wait_for_room() {
  std::unique_lock<std::mutex> guard(mutex_);
  if (room_locked(true))
    return;
  ++held_;
  ++blocked_;
  auto since = std::chrono::steady_clock::now();
  room_.wait(guard, [this] { return room_locked(true); });
  --blocked_;
  held_time_ += std::chrono::steady_clock::now() - since;
}

outbound_counters outbound_budget::counters() const {
  std::lock_guard<std::mutex> guard(mutex_);
  outbound_counters out;
  out.messages = messages_;
  out.bytes = charged_;
  out.in_flight = charged_ - credited_;
  out.held = held_;
  out.held_time = held_time_;
  auto now = std::chrono::steady_clock::now();
  for (auto& w : waiters_)
    out.held_time += now - w.since;
  out.waiting = waiters_.size() + blocked_;
  return out;
}

} // namespace plugnode::runtime::detail
