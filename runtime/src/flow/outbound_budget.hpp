// outbound_budget: the bytes this node sent to one peer that the peer has not confirmed yet, bounded
// (Erlang's dist_buf_busy_limit, counted end to end). Senders charge it after handing a message to CAF;
// every `mark_every` bytes a mark is due (see dist_flow.hpp), and the peer's answer to a mark credits
// everything charged before it. Past the limit a sender is held until credit brings it under again.
// A second, smaller bound keeps most of that budget out of the local BASP broker's mailbox, which every
// peer's traffic shares (a ping to another node waits behind whatever sits there): probes of the broker
// itself confirm what it has processed, and past `local_limit` unprocessed bytes the sender is held too.
// charge() and wait_for_room() run on any sender's thread, credit() and the waiter list on the flow actor
// only.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <vector>

#include <caf/response_promise.hpp>

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

class outbound_budget {
public:
  static constexpr std::uint64_t local_limit = 64 * 1024;

  explicit outbound_budget(std::uint64_t limit)
      : limit_(limit), mark_every_(limit / 4 > 0 ? limit / 4 : 1), local_limit_(std::min(limit, local_limit)),
        probe_every_(local_limit_ / 4 > 0 ? local_limit_ / 4 : 1) {}

  struct charge_result {
    std::uint64_t mark = 0;  // nonzero: ask the peer to confirm everything up to this position
    std::uint64_t probe = 0; // nonzero: ask the local BASP broker the same
    bool full = false;       // the sender must wait for room
  };
  charge_result charge(std::uint64_t bytes);

  // The peer confirmed everything up to `position`; true when there is room now.
  bool credit(std::uint64_t position);
  // The local BASP broker has processed everything up to `position`; true when there is room now.
  bool processed(std::uint64_t position);
  bool has_room() const;
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

private:
  bool room_locked() const {
    return closed_ ||
           (charged_ - credited_ < limit_ && charged_ - std::max(processed_, credited_) < local_limit_);
  }

  // Wakes the blocked senders when there is room; returns whether there is.
  bool wake_locked();

  const std::uint64_t limit_;
  const std::uint64_t mark_every_;
  const std::uint64_t local_limit_;
  const std::uint64_t probe_every_;
  mutable std::mutex mutex_;
  std::uint64_t charged_ = 0;
  std::uint64_t credited_ = 0;
  std::uint64_t last_mark_ = 0;
  std::uint64_t processed_ = 0;
  std::uint64_t last_probe_ = 0;
  std::uint64_t messages_ = 0;
  std::uint64_t held_ = 0;
  std::chrono::nanoseconds held_time_{0};
  bool closed_ = false;
  std::vector<waiter> waiters_;
  std::uint64_t blocked_ = 0; // threads inside wait_for_room
  std::condition_variable room_;
};

} // namespace plugnode::runtime::detail
