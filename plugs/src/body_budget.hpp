// body_budget: the node-wide allowance of request body bytes the HTTP server may hold in memory at once.
// Every connection's body is bounded by max_body, but N slow clients times max_body is more than a pod has;
// so a body past the small free allowance is read only once its bytes are granted from this budget. A
// connection that cannot be granted them waits in a queue, first come first served, and is not read (TCP
// pushes back on its client); bytes given back are granted to the waiters in order, from the thread that
// gave them back, through the wake function. A body larger than the whole budget still proceeds when
// nothing else is held, so no setting can wedge a request for good. No client address holds more than its
// share (a quarter by default): one flooding address waits on its own, and the connections of others pass
// its waiters (an address holding nothing may still take one body larger than the share).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <unordered_map>

namespace plugnode::plugs {

class body_budget {
public:
  // A connection waiting for `bytes`: its slot, the generation it had when it began to wait, its client.
  struct waiter {
    std::uint32_t index = 0;
    std::uint32_t generation = 0;
    std::size_t bytes = 0;
    std::string address;
  };
  // Called with the budget locked when a waiter's bytes have been taken for it: hand them over and wake it.
  using wake_function = std::function<void(const waiter&)>;

  // `held_now` and `held_peak` mirror the bytes held, for /metrics.
  // `share`: the most one address may hold (0: a quarter of the limit).
  body_budget(std::size_t limit, std::size_t share, wake_function wake, std::atomic<std::int64_t>& held_now,
              std::atomic<std::int64_t>& held_peak)
      : limit_(limit), share_(share == 0 ? limit / 4 : share), wake_(std::move(wake)), held_now_(held_now),
        held_peak_(held_peak) {}

  // Takes w.bytes when nobody waits ahead of it but waiters held back by their address's share (or
  // `grows`: a body that holds bytes already goes first, since it gives them all back sooner) and they fit
  // the budget and the address's share; otherwise queues w and returns false.
  bool take(const waiter& w, bool grows);
  // Gives back bytes `address` held and wakes the waiters that now fit, in order.
  void give(const std::string& address, std::size_t bytes);
  // Drops the wait of a closing connection (no-op when it was already woken). Call before closing its
  // socket: a wake never touches a descriptor after this returns.
  void forget(std::uint32_t index, std::uint32_t generation);

  std::size_t limit() const { return limit_; }
  std::size_t share() const { return share_; }
  std::size_t held() const;
  std::size_t held_by(const std::string& address) const;
  std::size_t waiting() const;

private:
  bool fits(std::size_t bytes) const { return held_ == 0 || held_ + bytes <= limit_; }
  bool over_share(const waiter& w) const;
  bool queue_blocks() const; // a waiter not held back by its share waits: newcomers queue behind it
  void add(const waiter& w);
  void wake_fitting();

  const std::size_t limit_;
  const std::size_t share_;
  const wake_function wake_;
  mutable std::mutex mutex_;
  std::atomic<std::int64_t>& held_now_;
  std::atomic<std::int64_t>& held_peak_;
  std::size_t held_ = 0;
  std::unordered_map<std::string, std::size_t> held_by_; // addresses holding something
  std::deque<waiter> waiting_;
};

} // namespace plugnode::plugs
