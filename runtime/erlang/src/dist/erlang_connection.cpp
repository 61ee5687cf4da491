// The reader thread and the writes that never wait of erlang_connection.hpp.
#include "dist/erlang_connection.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

#include "plugnode/runtime/log_limiter.hpp"

namespace plugnode::erlang::detail {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Wakes the reader's poll. A failed write is EAGAIN only (the counter is full): the reader is woken already.
void wake(int fd) {
  std::uint64_t one = 1;
  if (fd >= 0) [[maybe_unused]]
    auto ignored = ::write(fd, &one, sizeof one);
}

} // namespace

erlang_connection::erlang_connection(int fd, std::string peer_node, std::string peer_address,
                                     std::chrono::milliseconds ticktime)
    : fd_(fd), peer_node_(std::move(peer_node)), peer_address_(std::move(peer_address)), ticktime_(ticktime),
      wake_fd_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)), last_write_ms_(now_ms()), last_read_ms_(now_ms()),
      started_ms_(now_ms()) {}

std::int64_t erlang_connection::silent_ms() const {
  return now_ms() - last_read_ms_;
}

std::int64_t erlang_connection::up_ms() const {
  return now_ms() - started_ms_;
}

erlang_connection::~erlang_connection() {
  ::close(fd_);
  if (wake_fd_ >= 0)
    ::close(wake_fd_);
}

void erlang_connection::start(std::function<void(dist_message)> on_message,
                              std::function<void(const std::string&)> on_close) {
  std::thread([self = shared_from_this(), on_message = std::move(on_message),
               on_close = std::move(on_close)] {
    self->read_loop(on_message);
    std::string reason;
    {
      std::lock_guard<std::mutex> guard(self->reason_mutex_);
      reason = self->close_reason_;
    }
    ::shutdown(self->fd_, SHUT_RDWR);
    on_close(reason);
  }).detach();
}

void erlang_connection::close(const std::string& reason) {
  {
    std::lock_guard<std::mutex> guard(reason_mutex_);
    if (close_reason_.empty())
      close_reason_ = reason;
  }
  ::shutdown(fd_, SHUT_RDWR);
}

bool erlang_connection::send(const std::string& frame) {
  std::unique_lock<std::mutex> guard(write_mutex_);
  bool was_empty = !has_backlog_;
  backlog_ += frame;
  if (!flush_locked()) {
    backlog_.clear(); // the connection is over: nothing of it will be written
    backlog_begin_ = 0;
    has_backlog_ = false;
    guard.unlock();
    close("write failed");
    return false;
  }
  if (!within_backlog(guard))
    return false;
  if (was_empty && has_backlog_)
    wake(wake_fd_);
  return true;
}

bool erlang_connection::put(const std::string& frame) {
  std::unique_lock<std::mutex> guard(write_mutex_);
  backlog_ += frame;
  return within_backlog(guard);
}

bool erlang_connection::within_backlog(std::unique_lock<std::mutex>& guard) {
  if (backlog_.size() - backlog_begin_ <= max_backlog)
    return true;
  // A peer that reads, but slower than this node writes to it, would hold the backlog's memory without
  // bound: Erlang's own distribution makes senders wait there (dist_buf_busy_limit); casts cannot wait.
  backlog_.clear();
  backlog_begin_ = 0;
  has_backlog_ = false;
  guard.unlock();
  close("the peer reads too slowly: more than " + std::to_string(max_backlog >> 20) +
        " MB waiting to be sent");
  return false;
}

bool erlang_connection::flush_locked() {
  auto& done = backlog_begin_;
  auto before = done;
  bool ok = true;
  while (done < backlog_.size()) {
    auto sent = ::send(fd_, backlog_.data() + done, backlog_.size() - done, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0) {
      done += static_cast<std::size_t>(sent);
      continue;
    }
    if (sent < 0 && errno == EINTR)
      continue;
    ok = sent < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
    break;
  }
  if (done > before) {
    last_write_ms_ = now_ms();
    wrote_since_spin_.store(true, std::memory_order_relaxed);
  }
  // Written bytes leave the front once they are half of it, so a long backlog is not moved per write.
  if (done == backlog_.size()) {
    backlog_.clear();
    done = 0;
  } else if (done > backlog_.size() / 2) {
    backlog_.erase(0, done);
    done = 0;
  }
  has_backlog_ = !backlog_.empty();
  return ok;
}

bool erlang_connection::flush(std::string& reason) {
  std::lock_guard<std::mutex> guard(write_mutex_);
  if (!flush_locked()) {
    reason = "write failed";
    return false;
  }
  if (!backlog_.empty() && now_ms() - last_write_ms_ >= ticktime_.count()) {
    reason = "nothing written for the net_ticktime of " + std::to_string(ticktime_.count()) + " ms (" +
             std::to_string(backlog_.size() - backlog_begin_) + " bytes waiting)";
    return false;
  }
  return true;
}

// Before the reader sleeps in poll it looks at the socket for a short while, as a BEAM scheduler spins
// before it sleeps, but only when this node has written to the peer since it last did: a peer in a
// conversation (a GenServer.call after the reply to the last one) usually sends again within that time,
// and the read then costs no sleep and no wake-up; a peer that only sends (a one-way stream) or is quiet
// costs no spinning. True when bytes wait.
bool erlang_connection::spin_for_next() {
  constexpr auto spin = std::chrono::microseconds(50);
  auto until = std::chrono::steady_clock::now() + spin;
  char probe;
  do {
    auto got = ::recv(fd_, &probe, 1, MSG_DONTWAIT | MSG_PEEK);
    if (got != -1 || (errno != EAGAIN && errno != EWOULDBLOCK))
      return true; // bytes, or the close or error the next recv reports
  } while (std::chrono::steady_clock::now() < until);
  return false;
}

// Reads `n` bytes, ticking while it waits; false with `reason` when the peer went away or fell silent. The
// socket is read in chunks of up to in_.size() bytes, so a burst of small frames costs one recv, not two per
// frame; poll only runs when nothing is waiting.
bool erlang_connection::read_exact(char* out, std::size_t n, std::string& reason) {
  auto quarter = std::max<std::int64_t>(ticktime_.count() / 4, 1);
  while (n > 0) {
    if (in_begin_ < in_end_) {
      auto take = std::min(n, in_end_ - in_begin_);
      std::memcpy(out, in_.data() + in_begin_, take);
      in_begin_ += take;
      out += take;
      n -= take;
      continue;
    }
    auto now = now_ms();
    if (now - last_read_ms_ >= ticktime_.count()) {
      reason = "no tick or message within the net_ticktime of " + std::to_string(ticktime_.count()) + " ms";
      return false;
    }
    // A waiting backlog says more than a tick once it moves; ticks behind it would only pile up.
    if (now - last_write_ms_ >= quarter && !has_backlog_ && !send(tick_frame())) {
      reason = "tick could not be sent";
      return false;
    }
    if (has_backlog_ && !flush(reason))
      return false;
    if (!drained_) {
      auto got = ::recv(fd_, in_.data(), in_.size(), MSG_DONTWAIT);
      if (got > 0) {
        in_begin_ = 0;
        in_end_ = static_cast<std::size_t>(got);
        last_read_ms_ = now_ms();
        drained_ = in_end_ < in_.size();
        continue;
      }
      if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
        reason = "connection closed";
        return false;
      }
    }
    drained_ = false;
    if (!has_backlog_ && wrote_since_spin_.exchange(false, std::memory_order_relaxed) && spin_for_next()) {
      drained_ = false;
      continue;
    }
    pollfd p[2] = {{fd_, static_cast<short>(POLLIN | (has_backlog_ ? POLLOUT : 0)), 0},
                   {wake_fd_, POLLIN, 0}};
    ::poll(p, 2, static_cast<int>(quarter));
    std::uint64_t woken;
    if (p[1].revents & POLLIN) [[maybe_unused]]
      auto ignored = ::read(wake_fd_, &woken, sizeof woken); // EAGAIN: nothing to take
  }
  return true;
}

void erlang_connection::read_loop(const std::function<void(dist_message)>& on_message) {
  std::string reason;
  for (;;) {
    unsigned char head[4];
    if (!read_exact(reinterpret_cast<char*>(head), 4, reason))
      break;
    std::size_t size = (std::size_t{head[0]} << 24) | (std::size_t{head[1]} << 16) |
                       (std::size_t{head[2]} << 8) | std::size_t{head[3]};
    if (size == 0)
      continue; // a tick: last_read_ms_ moved, nothing else to do
    if (size > max_frame) {
      reason =
          "frame of " + std::to_string(size) + " bytes refused (limit " + std::to_string(max_frame) + ")";
      runtime::log_limited(spdlog::level::warn, "malformed frames from BEAM nodes", peer_node_,
                           "erlang: " + peer_node_ + " (" + peer_address_ + "): " + reason +
                               ": connection dropped");
      break;
    }
    // Grown as bytes arrive, so a frame announced and never sent costs no memory.
    std::string body;
    constexpr std::size_t chunk = 64 * 1024;
    while (body.size() < size) {
      auto old = body.size();
      body.resize(std::min(size, old + chunk));
      if (!read_exact(body.data() + old, body.size() - old, reason))
        break;
    }
    if (!reason.empty())
      break;
    std::string error;
    auto msg = parse_frame(body, error);
    if (!msg) {
      reason = "malformed frame: " + error;
      // The one fault of the peer that costs the link (what it sends well-formed costs a message at most):
      // a warning, rate-limited as everything a peer can cause.
      runtime::log_limited(spdlog::level::warn, "malformed frames from BEAM nodes", peer_node_,
                           "erlang: " + peer_node_ + " (" + peer_address_ + ") sent a " + reason +
                               ": connection dropped");
      break;
    }
    on_message(std::move(*msg));
  }
  std::lock_guard<std::mutex> guard(reason_mutex_);
  if (close_reason_.empty())
    close_reason_ = reason;
}

} // namespace plugnode::erlang::detail
