// The reader thread and the bounded writes of erlang_connection.hpp.
#include "erlang_connection.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace plugnode::runtime::detail {
namespace {

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

} // namespace

erlang_connection::erlang_connection(int fd, std::string peer_node, std::string peer_address,
                                     std::chrono::milliseconds ticktime)
    : fd_(fd), peer_node_(std::move(peer_node)), peer_address_(std::move(peer_address)), ticktime_(ticktime),
      last_write_ms_(now_ms()), last_read_ms_(now_ms()), started_ms_(now_ms()) {}

std::int64_t erlang_connection::silent_ms() const {
  return now_ms() - last_read_ms_;
}

std::int64_t erlang_connection::up_ms() const {
  return now_ms() - started_ms_;
}

erlang_connection::~erlang_connection() {
  ::close(fd_);
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
  std::lock_guard<std::mutex> guard(write_mutex_);
  if (!write_all(frame.data(), frame.size())) {
    close("write failed or timed out");
    return false;
  }
  last_write_ms_ = now_ms();
  return true;
}

bool erlang_connection::write_all(const char* data, std::size_t n) {
  auto deadline = now_ms() + ticktime_.count();
  while (n > 0) {
    auto sent = ::send(fd_, data, n, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (sent > 0) {
      data += sent;
      n -= static_cast<std::size_t>(sent);
      continue;
    }
    if (sent < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
      return false;
    auto left = deadline - now_ms();
    if (left <= 0)
      return false;
    pollfd p{fd_, POLLOUT, 0};
    ::poll(&p, 1, static_cast<int>(left));
  }
  return true;
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
    if (now - last_write_ms_ >= quarter && !send(tick_frame())) {
      reason = "tick could not be sent";
      return false;
    }
    auto got = ::recv(fd_, in_.data(), in_.size(), MSG_DONTWAIT);
    if (got > 0) {
      in_begin_ = 0;
      in_end_ = static_cast<std::size_t>(got);
      last_read_ms_ = now_ms();
      continue;
    }
    if (got == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      reason = "connection closed";
      return false;
    }
    pollfd p{fd_, POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(quarter));
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
      break;
    }
    on_message(std::move(*msg));
  }
  std::lock_guard<std::mutex> guard(reason_mutex_);
  if (close_reason_.empty())
    close_reason_ = reason;
}

} // namespace plugnode::runtime::detail
