// http_connection: one client connection of the HTTP server, and who may touch it. Only its owner reads it,
// writes it or closes it, and there is at most one at a time: a thread that took an epoll event for it (its
// event loop's), a thread whose request came back from its handler, or the sweeper that found it past a clock
// (which then only closes it or marks it due and arms it for its loop). While a request's handler runs nobody
// owns the connection: the request was taken off it as a job. Ownership is one atomic word: the slot's
// generation (bumped when the connection closes, so a stale epoll event for an earlier connection in the same
// slot is ignored), a sequence bumped at every release (so the sweeper, which reads the phase and times
// without owning, claims only what it looked at), a pending bit (an event arrived while someone owned it: the
// owner goes round again) and a busy bit.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>

#include "body_spool.hpp"
#include "plugnode/plugs/request_parser.hpp"
#include "plugnode/plugs/response_stream.hpp"

namespace plugnode::plugs {

// waiting_body: its body needs bytes of the node-wide body budget that are not free yet; it is not read.
// streaming: its response's body comes from a response_stream, whenever a plug sends.
enum class conn_phase : std::uint8_t {
  free,
  idle,
  reading_head,
  reading_body,
  working,
  writing,
  lingering,
  waiting_body,
  streaming
};
constexpr std::size_t conn_phase_count = 9;

class http_connection {
  // First, so that the cache line every event loads first holds it with the phase and the clocks.
  std::atomic<std::uint64_t> word_{0};

public:
  using clock = std::chrono::steady_clock;
  static constexpr std::uint64_t busy = 1;
  static constexpr std::uint64_t pending = 2;
  static constexpr std::uint64_t seq_step = 4;

  static std::uint32_t generation_of(std::uint64_t word) { return static_cast<std::uint32_t>(word >> 32); }
  // The clocks below are kept as ticks of `clock` in atomics.
  static clock::rep now_ticks() { return clock::now().time_since_epoch().count(); }
  static clock::rep ticks(std::chrono::milliseconds d) {
    return std::chrono::duration_cast<clock::duration>(d).count();
  }

  // For an epoll event of connection `generation`: true when the caller now owns it; false when it is gone
  // or someone else owns it (who is then told, through the pending bit, to look at the socket again).
  bool claim_for_event(std::uint32_t generation) {
    auto w = word_.load(std::memory_order_acquire);
    while (generation_of(w) == generation) {
      auto wanted = (w & busy) != 0 ? (w | pending) : (w | busy);
      if (word_.compare_exchange_weak(w, wanted, std::memory_order_acq_rel))
        return (w & busy) == 0;
    }
    return false;
  }
  // For a handler's thread bringing its response back: waits out an owner's turn (a turn never blocks).
  // False once the connection is gone (closed, its slot perhaps reused).
  bool claim_when_free(std::uint32_t generation) {
    while (true) {
      auto w = word_.load(std::memory_order_acquire);
      if (generation_of(w) != generation)
        return false;
      if ((w & busy) == 0 && word_.compare_exchange_weak(w, w | busy, std::memory_order_acq_rel))
        return true;
      std::this_thread::yield();
    }
  }
  // For a thread that has news for the connection (a streaming response's chunks) without owning it: true
  // when nobody owns it, and the caller arms the socket so that its loop comes; false when it is gone, or
  // its owner was told (the pending bit) to go round once more.
  bool notify(std::uint32_t generation) {
    auto w = word_.load(std::memory_order_acquire);
    while (generation_of(w) == generation) {
      if ((w & busy) == 0)
        return true;
      if ((w & pending) != 0 || word_.compare_exchange_weak(w, w | pending, std::memory_order_acq_rel))
        return false;
    }
    return false;
  }
  // For the sweeper: the word it read the phase and times under; fails if anything happened since.
  bool claim_if_unchanged(std::uint64_t seen) {
    return (seen & busy) == 0 && word_.compare_exchange_strong(seen, seen | busy, std::memory_order_acq_rel);
  }
  // The owner lets go (after re-arming the socket). False when an event came meanwhile: it still owns the
  // connection and must look at the socket again.
  bool release() {
    auto w = word_.load(std::memory_order_acquire);
    while (true) {
      if ((w & pending) != 0) {
        if (word_.compare_exchange_weak(w, w & ~pending, std::memory_order_acq_rel))
          return false;
        continue;
      }
      if (word_.compare_exchange_weak(w, (w + seq_step) & ~busy, std::memory_order_acq_rel))
        return true;
    }
  }
  // The owner gives the slot up for a new connection: stale events of this one will not match.
  void retire() {
    auto w = word_.load(std::memory_order_relaxed);
    word_.store((static_cast<std::uint64_t>(generation_of(w) + 1)) << 32, std::memory_order_release);
  }
  // The accepting thread hands a new connection's fields to whoever claims it first (its loop for its first
  // event, the sweeper): the word, unchanged, is stored again with release order.
  void publish() { word_.store(word_.load(std::memory_order_relaxed), std::memory_order_release); }
  std::uint64_t word() const { return word_.load(std::memory_order_acquire); }
  std::uint32_t generation() const { return generation_of(word()); }

  // Read by the sweeper without owning; written by the owner only.
  std::atomic<conn_phase> phase{conn_phase::free};
  std::atomic<clock::rep> since{0}; // when the phase's clock started (last progress, for reads and writes)
  std::atomic<clock::rep> head_started{0};
  // The body's average rate: when it could start (time spent waiting for the budget left out), how much came.
  std::atomic<clock::rep> body_started{0};
  std::atomic<std::uint64_t> body_received{0};
  // Budget bytes handed over by the thread that gave them back, while the connection waited.
  std::atomic<std::size_t> granted{0};
  // Bytes of the body budget this connection's request holds (the owner's; the sweeper reads it).
  std::atomic<std::size_t> body_held{0};
  // A streaming response has bytes the client has not taken (the write clock runs).
  std::atomic<bool> stream_blocked{false};
  // The running request's deadline (ticks), set by its owner as the request is taken off.
  std::atomic<clock::rep> deadline{0};
  // An event said the client shut its side (EPOLLRDHUP, EPOLLHUP): set by whichever thread took the event,
  // owner or not. From then on a short read is not the end of what is there: the end of the stream is, and
  // it comes with no edge of its own when it arrived with the last bytes. (A stale event of the slot's
  // previous connection may set it on the next one: that costs reads to EAGAIN, nothing else.)
  std::atomic<bool> hung_up{false};
  // Set by the sweeper, which found a clock run out and armed the socket: the next owner looks at it.
  enum class due_reason : std::uint8_t { none, clock, evicted };
  std::atomic<due_reason> due{due_reason::none};

  // The owner's alone.
  std::uint32_t index = 0; // of its slot
  std::uint32_t loop = 0;  // the event loop whose epoll set it is in: set at accept, before it is published
  int fd = -1;
  std::string remote_ip;
  std::string in;  // received and not yet consumed
  std::string out; // response bytes not yet written
  std::size_t out_sent = 0;
  request_parser parser;
  body_spool spool; // the request's body once it is spooled to a file
  std::size_t served = 0;
  bool close_after_write = false;
  bool peer_closed = false;
  bool continue_sent = false;
  // The socket may hold bytes not read yet: an event for it was taken, or the last read stopped short of
  // EAGAIN. While false, any byte that arrives is an edge still to come (edge-triggered), so nothing reads.
  bool unread = true;
  std::uint64_t sequence = 0;              // of the request taken off last: a job answers only its own
  bool head_request = false;               // that request's; a deadline's 503 to a HEAD has no body
  std::shared_ptr<response_stream> stream; // while phase is streaming
  std::deque<std::string> stream_chunks;   // taken from the stream, not yet framed into `out`
  bool stream_chunked = false;
};

} // namespace plugnode::plugs
