// response_stream: the queue between a plug sending a body's chunks and the transport writing them, and the
// one place a stream ends (response_stream.hpp).
#include "plugnode/plugs/response_stream.hpp"

#include "plugnode/plugs/conn.hpp"

namespace plugnode::plugs {

response_stream::response_stream(std::size_t max_queued, std::function<void()> wake)
    : max_queued_(max_queued), wake_(std::move(wake)) {}

bool response_stream::send(std::string_view chunk) {
  std::unique_lock lock(mutex_);
  if (state_ != state::open)
    return false;
  if (chunk.empty())
    return true;
  if (queued_bytes_ + chunk.size() > max_queued_) {
    auto callback = end(state::dropped);
    lock.unlock();
    if (callback)
      callback();
    return false;
  }
  bool was_empty = queued_.empty();
  queued_.emplace_back(chunk);
  queued_bytes_ += chunk.size();
  if (was_empty && wake_) // the transport takes everything queued at once: one wake per batch
    wake_();
  return true;
}

void response_stream::close() {
  std::unique_lock lock(mutex_);
  if (state_ != state::open)
    return;
  auto callback = end(state::finished);
  lock.unlock();
  if (callback)
    callback();
}

bool response_stream::is_open() const {
  std::lock_guard lock(mutex_);
  return state_ == state::open;
}

void response_stream::on_close(std::function<void()> callback) {
  std::unique_lock lock(mutex_);
  if (state_ == state::open) {
    on_close_ = std::move(callback);
    return;
  }
  lock.unlock();
  if (callback)
    callback();
}

response_stream::state response_stream::take(std::deque<std::string>& chunks) {
  std::lock_guard lock(mutex_);
  for (auto& chunk : queued_)
    chunks.push_back(std::move(chunk));
  queued_.clear();
  queued_bytes_ = 0;
  return state_;
}

std::function<void()> response_stream::drop() {
  std::lock_guard lock(mutex_);
  wake_ = nullptr; // the connection is going: nothing may touch it from now on
  return state_ == state::open ? end(state::dropped) : nullptr;
}

// With the lock held and the stream open: the transport is told, and the caller runs the callback returned
// once it has let go of the lock.
std::function<void()> response_stream::end(state how) {
  state_ = how;
  if (how == state::dropped) {
    queued_.clear();
    queued_bytes_ = 0;
  }
  if (wake_)
    wake_();
  auto callback = std::move(on_close_);
  on_close_ = nullptr;
  return callback;
}

void send_stream(conn& c, int status, stream_opened on_open) {
  c.resp(status, {});
  c.send_resp();
  c.stream = std::move(on_open); // after the callbacks: a crash among them answers 500, not a stream
}

} // namespace plugnode::plugs
