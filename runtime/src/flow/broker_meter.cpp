// The node-wide meter of the BASP broker's mailbox; see broker_meter.hpp.
#include "flow/broker_meter.hpp"

#include <algorithm>

namespace plugnode::runtime::detail {

std::uint64_t broker_meter::charge(std::uint64_t bytes) {
  std::lock_guard<std::mutex> guard(mutex_);
  charged_ += bytes;
  if (charged_ - last_probe_ < probe_every_)
    return 0;
  last_probe_ = charged_;
  return charged_;
}

bool broker_meter::room(const std::weak_ptr<outbound_budget>& waiting, bool blocking) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (charged_ - processed_ < (blocking ? 4 * limit_ : limit_))
    return true;
  auto same = [&](const std::weak_ptr<outbound_budget>& x) {
    return !x.owner_before(waiting) && !waiting.owner_before(x);
  };
  if (!waiting.expired() && std::none_of(waiting_.begin(), waiting_.end(), same))
    waiting_.push_back(waiting);
  return false;
}

std::vector<std::shared_ptr<outbound_budget>> broker_meter::processed(std::uint64_t position) {
  std::vector<std::weak_ptr<outbound_budget>> waiting;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    processed_ = std::max(processed_, position);
    // Down to half: the woken senders find work still queued (the broker does not run dry while they
    // wake) and send half the limit before they are held again, not a single probe's quarter.
    if (charged_ - processed_ <= limit_ / 2)
      waiting.swap(waiting_);
  }
  std::vector<std::shared_ptr<outbound_budget>> out;
  for (auto& w : waiting)
    if (auto budget = w.lock())
      out.push_back(std::move(budget));
  return out;
}

std::uint64_t broker_meter::unprocessed() const {
  std::lock_guard<std::mutex> guard(mutex_);
  return charged_ - processed_;
}

} // namespace plugnode::runtime::detail
