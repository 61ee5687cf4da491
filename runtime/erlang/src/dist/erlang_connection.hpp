// erlang_connection: one authenticated Erlang distribution connection (after ei's handshake), BEAM's side of
// it being a node that dialled us or one we dialled. A thread of its own reads the frames (blocking reads
// never run on CAF's threads), answers the liveness rules of net_ticktime (a tick when nothing was sent for a
// quarter of it; the peer is dropped after a whole ticktime of silence) and refuses frames over a size limit
// or that do not parse. Writes come from any thread and never wait: what the socket does not take at once is
// kept in order (the backlog) and written by the reader thread as the socket drains; the peer is dropped when
// the backlog makes no progress for a whole ticktime, or grows past max_backlog.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "dist/erlang_frame.hpp"

namespace plugnode::erlang::detail {

class erlang_connection : public std::enable_shared_from_this<erlang_connection> {
public:
  // Frames larger than this are refused before any of their bytes are stored.
  static constexpr std::size_t max_frame = 64u << 20;
  static constexpr std::size_t max_backlog = 64u << 20; // bytes queued for a slow reader before it is dropped

  erlang_connection(int fd, std::string peer_node, std::string peer_address,
                    std::chrono::milliseconds ticktime);
  ~erlang_connection();
  erlang_connection(const erlang_connection&) = delete;
  erlang_connection& operator=(const erlang_connection&) = delete;

  // Starts the reader: `on_message` for every message frame, `on_close(reason)` once at the end, both on the
  // reader's thread. The thread keeps this object alive until it ends.
  void start(std::function<void(dist_message)> on_message, std::function<void(const std::string&)> on_close);

  // Writes one whole frame, or queues what the socket does not take now behind the earlier frames; false
  // when the connection failed (it is then closed). Frames put() before it go out in the same write.
  bool send(const std::string& frame);
  // Appends a frame for the next send() (or flush()) to write with others: many casts in one system call.
  // The caller makes sure one follows. False when the connection failed.
  bool put(const std::string& frame);
  // Writes what put() collected.
  bool flush() { return send(std::string()); }

  // Ends the connection: the reader stops and reports `reason`.
  void close(const std::string& reason);

  const std::string& peer_node() const { return peer_node_; }
  const std::string& peer_address() const { return peer_address_; }
  std::int64_t silent_ms() const; // since anything (a tick included) was last heard
  std::int64_t up_ms() const;     // since the handshake

private:
  void read_loop(const std::function<void(dist_message)>& on_message);
  bool spin_for_next();
  bool read_exact(char* out, std::size_t n, std::string& reason);
  // Under write_mutex_: writes as much of the backlog as the socket takes; false on a socket error.
  bool flush_locked();
  // The reader's side of the backlog: flushes it; false with `reason` when that failed or made no progress
  // for a whole ticktime.
  bool flush(std::string& reason);
  // Under write_mutex_: drops a backlog past max_backlog (then closes); false when it did.
  bool within_backlog(std::unique_lock<std::mutex>& guard);

  int fd_;
  std::string peer_node_;
  std::string peer_address_;
  std::chrono::milliseconds ticktime_;
  std::mutex write_mutex_;
  std::string
      backlog_; // under write_mutex_: bytes accepted by send() and put(), written up to backlog_begin_
  std::size_t backlog_begin_ = 0;           // under write_mutex_
  std::atomic<bool> has_backlog_{false};    // the reader then polls for POLLOUT too
  int wake_fd_;                             // an eventfd: a backlog began, the reader must poll for POLLOUT
  std::atomic<std::int64_t> last_write_ms_; // when bytes last went out (ticks, and the backlog's progress)
  std::atomic<std::int64_t> last_read_ms_;
  std::atomic<bool> wrote_since_spin_{false}; // see spin_for_next
  std::int64_t started_ms_;
  std::mutex reason_mutex_;
  std::string close_reason_; // set by close(): why the reader's read failed
  // The reader's bytes received and not yet taken (read_exact): in_[in_begin_, in_end_).
  std::vector<char> in_ = std::vector<char>(64 * 1024);
  std::size_t in_begin_ = 0;
  std::size_t in_end_ = 0;
  // The last recv took less than it asked for, so the socket is empty: the next read polls first (a recv
  // now would only say EAGAIN, one system call per GenServer.call for nothing).
  bool drained_ = false;
};

} // namespace plugnode::erlang::detail
