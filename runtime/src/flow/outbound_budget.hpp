// outbound_budget: the bytes this node sent to one peer that the peer has not confirmed yet, bounded
// (Erlang's dist_buf_busy_limit, counted end to end). Senders charge it after handing a message to CAF;
// every `mark_every` bytes a mark is due (see dist_flow.hpp), and the peer's answer to a mark credits
// everything charged before it. Past the limit a sender is held until credit brings it under again.
// A second bound, shared by every budget of the node (broker_meter.hpp), keeps the local BASP broker's
// mailbox short, which all peers' traffic passes through: past it the sender is held too.
// charge() and wait_for_room() run on any sender's thread, credit() and the waiter list on the flow actor
// only.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include <caf/response_promise.hpp>

#include "flow/broker_meter.hpp"

namespace plugnode::runtime::detail {

// What the flow actor and the metrics read about one peer's outbound traffic.
struct outbound_counters {
  std::uint64_t messages = 0;  // sent through the budget
  std::uint64_t bytes = 0;     // their estimated wire size
  std::uint64_t in_flight = 0; // bytes not confirmed by the peer yet: the outbound queue depth
  std::uint64_t held = 0;      // times a sender was held back
  std::chrono::nanoseconds held_time{0};
  std::uint64_t waiting = 0; // senders held right now
};

class outbound_budget : public std::enable_shared_from_this<outbound_budget> {
public:
  // `meter`: the node's, shared with its other budgets (none: no bound on the broker's mailbox).
  explicit outbound_budget(std::uint64_t limit, meter_ptr meter = nullptr)
      : limit_(limit), mark_every_(limit / 4 > 0 ? limit / 4 : 1), meter_(std::move(meter)) {}

  struct charge_result {
    std::uint64_t mark = 0;  // nonzero: ask the peer to confirm everything up to this position
    std::uint64_t probe = 0; // nonzero: ask the local BASP broker the same (a position on the meter)
    bool full = false;       // the sender must wait for room
  };
  charge_result charge(std::uint64_t bytes);

  // The peer confirmed everything up to `position`; true when there is room now.
  bool credit(std::uint64_t position);
  // The meter has room again (its waiters, broker_meter::processed): wakes blocked senders; true when
  // there is room now.
  bool recheck();
  bool has_room();
  // The position to ask the peer about again when a mark got no answer (none outstanding: 0).
  std::uint64_t unconfirmed() const;
  // The peer is gone: every sender is released and none is held again.
  void close();
  bool closed() const;

  // Held senders, kept by the flow actor.
  struct waiter {
    caf::response_promise promise;
    std::chrono::steady_clock::time_point since;
  };
  void hold(waiter w);
  std::vector<waiter> release();
  // Blocks the calling thread until there is room or the budget closes: the hold of a sender that has no
  // other way to wait (a plain send to a held handle, held_proxy.hpp). Counted like any hold.
  void wait_for_room();

  outbound_counters counters() const;
  std::uint64_t limit() const { return limit_; }
  const meter_ptr& meter() const { return meter_; }

private:
  // Not const: a budget held by the meter registers there to be rechecked. `blocking`: for a sender that
  // waits in wait_for_room (broker_meter::room).
  bool room_locked(bool blocking = false) {
    return closed_ ||
           (charged_ - credited_ < limit_ && (!meter_ || meter_->room(weak_from_this(), blocking)));
  }

  // Wakes the blocked senders when there is room; returns whether there is.
  bool wake_locked();

  const std::uint64_t limit_;
  const std::uint64_t mark_every_;
  const meter_ptr meter_;
  mutable std::mutex mutex_;
  std::uint64_t charged_ = 0;
  std::uint64_t credited_ = 0;
  std::uint64_t last_mark_ = 0;
  std::uint64_t messages_ = 0;
  std::uint64_t held_ = 0;
  std::chrono::nanoseconds held_time_{0};
  bool closed_ = false;
  std::vector<waiter> waiters_;
  std::uint64_t blocked_ = 0; // threads inside wait_for_room
  std::condition_variable room_;
};

} // namespace plugnode::runtime::detail
