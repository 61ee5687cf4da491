// broker_meter: the bytes this node's senders handed to CAF's BASP broker that it has not processed yet,
// counted across every peer. CAF 0.17 has one BASP broker for all links, an actor on the middleman's I/O
// thread with one mailbox, so a message to a quiet peer (a ping to c) waits behind everything a bulk sender
// to another peer (a blast to b) put there before it: 64 KB of small messages were about 1 ms of the I/O
// thread's CPU, and on a loaded machine, where that thread gets a share of a core, 5-17 ms of wall time
// (docs/benchmarks.md, "One mailbox for all links"). Every budget of the node shares this meter: past
// `limit` unprocessed bytes in all, the sender whose charge found it full is held until probes of the
// broker (any request it answers, in mailbox order) show it has caught up to half of that.
//
// Budgets whose senders wait on the meter register themselves (room()), and the flow actor rechecks them
// when a probe's answer moves `processed` (dist_flow.cpp). Any thread; the budgets' locks are taken
// before the meter's, never the other way round.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace plugnode::runtime::detail {

class outbound_budget;

class broker_meter {
public:
  // About 0.25 ms of the broker's work for small messages (0.7 us each, 52 bytes) on a quiet machine.
  // Measured under load against 32 KB and 8 KB (docs/benchmarks.md): 32 KB did not cut the ping p99;
  // 16 KB did, for a higher median (the held sender and the broker take turns every 8 KB).
  static constexpr std::uint64_t default_limit = 16 * 1024;

  explicit broker_meter(std::uint64_t limit = default_limit) : limit_(limit), probe_every_(limit / 4) {}

  // `bytes` were handed to the broker. Nonzero: ask the broker to confirm everything up to this position.
  std::uint64_t charge(std::uint64_t bytes);

  // Whether there is room; when not, `waiting` is rechecked when the broker has caught up. A sender
  // that blocks its thread to wait (`blocking`, a plain send to a held handle) has four times the
  // limit: it waits without giving its thread up, and at 16 KB a window of 1,000 plain sends was held
  // and woken six times and the one-way rate fell from 1.61x Erlang to 0.76-0.87x (docs/benchmarks.md).
  bool room(const std::weak_ptr<outbound_budget>& waiting, bool blocking = false);

  // The broker has processed everything up to `position`: the budgets to recheck once it is down to half
  // the limit.
  std::vector<std::shared_ptr<outbound_budget>> processed(std::uint64_t position);

  std::uint64_t unprocessed() const;
  std::uint64_t limit() const { return limit_; }

private:
  const std::uint64_t limit_;
  const std::uint64_t probe_every_;
  mutable std::mutex mutex_;
  std::uint64_t charged_ = 0;
  std::uint64_t processed_ = 0;
  std::uint64_t last_probe_ = 0;
  std::vector<std::weak_ptr<outbound_budget>> waiting_;
};

using meter_ptr = std::shared_ptr<broker_meter>;

} // namespace plugnode::runtime::detail
