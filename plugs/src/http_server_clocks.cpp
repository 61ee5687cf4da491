// The HTTP server's clocks: the sweeper thread finds the connections past one. It closes those with nothing
// more to be told (idle, lingering after an answer, not taking their response) and hands the others to an
// owner: marked due and armed, so its loop comes and answers 408 to a head or body that did not arrive in
// time (a body also when its average rate falls below the minimum), 503 to a body that waited too long for
// room in the body budget, and 503 to a request whose handler is still running at its deadline. The sweeper
// never writes to a client and never runs a request.
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <limits>

#include "http_server.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"

namespace plugnode::plugs {
namespace {

using clock = http_connection::clock;
using std::chrono::milliseconds;

constexpr auto none_slot = std::numeric_limits<std::size_t>::max();

milliseconds sweep_tick(const endpoint_options& o) {
  auto shortest =
      std::min({o.idle_timeout, o.head_timeout, o.read_timeout, o.write_timeout, o.stop_grace, o.deadline});
  return std::clamp(shortest / 10, milliseconds(5), milliseconds(100));
}

} // namespace

bool http_server::expired(const http_connection& c, clock::rep now) const {
  auto since = c.since.load(std::memory_order_relaxed);
  bool stopping = stopping_.load();
  switch (c.phase.load(std::memory_order_acquire)) {
  case conn_phase::idle:
    return now - since >= http_connection::ticks(stopping ? options_.stop_grace : options_.idle_timeout);
  case conn_phase::reading_head:
    return now - c.head_started.load(std::memory_order_relaxed) >=
               http_connection::ticks(options_.head_timeout) ||
           (stopping && now - stop_requested_.load() >= http_connection::ticks(options_.stop_grace));
  case conn_phase::reading_body: // a request under way, even at a stop: its body is still coming
    return now - since >= http_connection::ticks(options_.read_timeout) || body_too_slow(c, now);
  case conn_phase::waiting_body: return now - since >= http_connection::ticks(options_.read_timeout);
  case conn_phase::working: return now >= c.deadline.load(std::memory_order_relaxed);
  case conn_phase::writing: return now - since >= http_connection::ticks(options_.write_timeout);
  case conn_phase::streaming: // silent for as long as its plug likes; not taking what was sent, only so long
    return c.stream_blocked.load(std::memory_order_relaxed) &&
           now - since >= http_connection::ticks(options_.write_timeout);
  case conn_phase::lingering: return now - since >= http_connection::ticks(linger_time);
  default: return false;
  }
}

// One byte every few seconds keeps the silence clock from firing; the average cannot be kept that way.
bool http_server::body_too_slow(const http_connection& c, clock::rep now) const {
  if (options_.body_min_rate == 0)
    return false;
  auto received = static_cast<double>(c.body_received.load(std::memory_order_relaxed));
  auto earned = received / static_cast<double>(options_.body_min_rate) *
                static_cast<double>(http_connection::ticks(std::chrono::seconds(1)));
  auto took = now - c.body_started.load(std::memory_order_relaxed);
  return static_cast<double>(took) >
         static_cast<double>(http_connection::ticks(options_.read_timeout)) + earned;
}

// The sweeper owns `c`, which is past its clock.
void http_server::hand_over(http_connection& c, http_connection::due_reason why) {
  auto phase = c.phase.load(std::memory_order_relaxed);
  bool idle_and_silent = false;
  if (phase == conn_phase::idle) {
    // A request that arrived as the clock ran out, its event not yet taken by its loop, must not be reset
    // unanswered: that connection goes to an owner too.
    char byte = 0;
    idle_and_silent = ::recv(c.fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) <= 0;
  }
  if (idle_and_silent || phase == conn_phase::lingering || phase == conn_phase::writing ||
      phase == conn_phase::streaming) {
    close(c);
    return;
  }
  c.due.store(why, std::memory_order_release);
  // An event that came meanwhile (pending) was this arming's, its thread turned away: arm again until the
  // release goes through.
  do {
    if (!arm_at_once(c.loop, c.fd, event_data(c.index, c))) {
      close(c);
      return;
    }
  } while (!c.release());
}

// The owner of a connection the sweeper marked due (the clock is read again: it may have been fed since).
http_server::next http_server::expire(http_connection& c, bool evicted) {
  auto phase = c.phase.load(std::memory_order_relaxed);
  if (phase == conn_phase::idle)
    return take_input(c); // the request that arrived as the clock ran out
  if (phase == conn_phase::working) {
    ++stats_->deadline_replies;
    runtime::log_limited(spdlog::level::warn, "HTTP deadline replies", c.remote_ip,
                         fmt::format("http: request from {} still running at its deadline ({} ms): answered "
                                     "503; its handler's thread stays busy until it returns",
                                     c.remote_ip, options_.deadline.count()),
                         {{"peer", c.remote_ip}, {"status", "503"}});
    c.out = local_response_bytes(503, {}, c.head_request);
    c.close_after_write = true;
    set_phase(c, conn_phase::writing); // the job finds its connection no longer waiting for it
    return flush(c);
  }
  int status = 408;
  std::string what;
  if (phase == conn_phase::waiting_body) {
    status = 503;
    ++stats_->body_buffer_refusals;
    what = fmt::format("body waited {} ms for room in the body buffer ({} bytes)",
                       options_.read_timeout.count(), options_.body_buffer);
  } else if (phase == conn_phase::reading_head) {
    ++stats_->head_timeouts;
    what = "request head not received in time";
  } else if (phase == conn_phase::reading_body) {
    ++stats_->body_timeouts;
    if (evicted)
      what = fmt::format("body slower than {} bytes/s over the last second while others wait for the body "
                         "buffer",
                         options_.body_min_rate);
    else if (body_too_slow(c, http_connection::now_ticks()))
      what = fmt::format("body slower than {} bytes/s on average", options_.body_min_rate);
    else
      what = "body not received in time";
  } else {
    return next::close; // nothing more to tell it (the sweeper closes these itself)
  }
  runtime::log_limited(spdlog::level::warn, "HTTP request timeouts", c.remote_ip,
                       fmt::format("http: {} from {}: answered {}", what, c.remote_ip, status),
                       {{"peer", c.remote_ip}, {"status", std::to_string(status)}});
  drop_body(c);
  c.in.clear(); // nothing after it is read as a request
  c.out = local_response_bytes(status);
  c.close_after_write = true;
  return flush(c);
}

void http_server::note_body_rate(const http_connection& c, clock::rep now, slowest_holders& slowest) {
  if (c.phase.load(std::memory_order_acquire) != conn_phase::reading_body ||
      c.body_held.load(std::memory_order_relaxed) == 0)
    return;
  auto started = c.body_started.load(std::memory_order_relaxed);
  auto received = c.body_received.load(std::memory_order_relaxed);
  auto& r = body_rates_[c.index];
  if (r.started != started) {
    r = {started, received, now, -1};
    return;
  }
  auto second = http_connection::ticks(std::chrono::seconds(1));
  if (now - r.at >= second) {
    r.per_second = static_cast<double>(received - std::min(received, r.bytes)) * static_cast<double>(second) /
                   static_cast<double>(now - r.at);
    r.bytes = received;
    r.at = now;
  }
  if (r.per_second < 0)
    return;
  auto& kind =
      c.body_held.load(std::memory_order_relaxed) > body_spool::buffer ? slowest.in_memory : slowest.spooled;
  if (r.per_second < kind.rate)
    kind = {c.index, r.per_second};
}

// The sweeper answers a body holder it found below the minimum rate, unless something happened to it since.
void http_server::evict_slow(std::size_t slot, std::size_t slots) {
  if (slot >= slots)
    return;
  auto& c = *slots_[slot];
  auto seen = c.word();
  if ((seen & http_connection::busy) == 0 &&
      c.phase.load(std::memory_order_acquire) == conn_phase::reading_body && c.claim_if_unchanged(seen))
    hand_over(c, http_connection::due_reason::evicted);
}

// A loop whose every thread has been in one request for loop_stall gets a stand-in thread, up to
// most_threads_per_loop; stand-ins serve their loop until the server stops.
void http_server::check_loops(clock::rep now) {
  for (std::size_t l = 0; l < loops_.size(); ++l) {
    auto& loop = *loops_[l];
    auto threads = loop.threads.load(std::memory_order_acquire);
    if (threads == 0 || threads >= most_threads_per_loop || stopping_)
      continue;
    bool stuck = true;
    for (std::size_t t = 0; stuck && t < threads; ++t) {
      auto since = loop.running_since[t].load(std::memory_order_relaxed);
      stuck = since != 0 && now - since >= http_connection::ticks(loop_stall);
    }
    if (!stuck)
      continue;
    runtime::log_limited(
        spdlog::level::warn, "HTTP event loop stalls", std::to_string(l),
        fmt::format("http: event loop {} has been running one request for over {} ms (a plug "
                    "marked non-blocking that blocks?): a stand-in thread serves its other "
                    "connections",
                    l, loop_stall.count()),
        {{"loop", std::to_string(l)}});
    loop.running_since[threads].store(0, std::memory_order_relaxed);
    // Counted before it starts, so the next sweep does not start another for the same stall.
    loop.threads.store(threads + 1, std::memory_order_release);
    stand_ins_.emplace_back([this, &loop, threads] { serve_loop(loop, threads); });
  }
}

void http_server::sweep() {
  auto tick = sweep_tick(options_);
  std::unique_lock lock(mutex_);
  while (!exiting_) {
    changed_.wait_for(lock, tick);
    bool stopping = stopping_;
    lock.unlock();
    auto now = http_connection::now_ticks();
    // Bodies waiting for the budget while a holder sends below the minimum rate: the slowest such holder
    // is answered at once (one a tick), however much its earlier bytes bought it on average: the slowest of
    // those holding more than a spooled body's buffer, whose answer frees what the waiters need. So too,
    // while bodies find no room on disk, the slowest holder of a spooled body.
    auto min_rate = static_cast<double>(options_.body_min_rate);
    slowest_holders slowest{{none_slot, min_rate}, {none_slot, min_rate}};
    auto n = high_water_.load(std::memory_order_acquire);
    body_rates_.resize(n);
    for (std::size_t i = 0; i < n; ++i) {
      auto& c = *slots_[i];
      auto seen = c.word();
      if ((seen & http_connection::busy) == 0 && expired(c, now) && c.claim_if_unchanged(seen))
        hand_over(c, http_connection::due_reason::clock);
      else
        note_body_rate(c, now, slowest);
    }
    check_loops(now);
    auto waiting = body_budget_.waiting() > 0;
    auto in_memory = slowest.in_memory.slot, spooled = slowest.spooled.slot;
    if (waiting)
      evict_slow(in_memory != none_slot ? in_memory : spooled, n);
    if (spool_disk_.full_since(now - http_connection::ticks(std::chrono::seconds(1))))
      evict_slow(spooled != none_slot ? spooled : (waiting ? none_slot : in_memory), n);
    if (stopping) {
      finish_if_drained();
      if (now - stop_requested_.load() >= http_connection::ticks(options_.stop_timeout)) {
        runtime::logger().warn("http: {} connections still open {} ms after the stop", open_.load(),
                               options_.stop_timeout.count());
        lock.lock();
        exiting_ = true;
        exit_all();
        break;
      }
    }
    lock.lock();
  }
}

} // namespace plugnode::plugs
