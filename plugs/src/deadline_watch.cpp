#include "deadline_watch.hpp"

#include <sys/socket.h>

#include <string>

#include "http_response.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/net/sockets.hpp"

namespace plugnode::plugs {
namespace {

std::atomic<std::uint64_t> next_watch_id{1};

struct thread_slot {
  std::uint64_t watch = 0;
  deadline_watch::slot* slot = nullptr;
};
thread_local thread_slot this_thread_slot;

} // namespace

deadline_watch::deadline_watch(std::chrono::milliseconds tick)
    : tick_(tick), id_(next_watch_id++), thread_([this] { run(); }) {}

deadline_watch::~deadline_watch() {
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  stopping_.notify_all();
  thread_.join();
}

deadline_watch::slot* deadline_watch::current() const {
  return this_thread_slot.watch == id_ ? this_thread_slot.slot : nullptr;
}

deadline_watch::slot& deadline_watch::attach(int socket) {
  auto* s = current();
  if (!s) {
    std::lock_guard lock(mutex_);
    s = slots_.emplace_back(std::make_unique<slot>()).get();
    this_thread_slot = {id_, s};
  }
  std::lock_guard lock(s->mutex_);
  s->socket_ = socket;
  s->armed_ = false;
  s->answered_ = false;
  return *s;
}

void deadline_watch::detach(slot& s) {
  std::lock_guard lock(s.mutex_);
  s.socket_ = -1;
  s.armed_ = false;
}

void deadline_watch::arm(clock::time_point deadline, bool head_request) {
  if (auto* s = current()) {
    std::lock_guard lock(s->mutex_);
    s->armed_ = true;
    s->deadline_ = deadline;
    s->head_ = head_request;
  }
}

bool deadline_watch::disarm() {
  auto* s = current();
  if (!s)
    return true;
  std::lock_guard lock(s->mutex_);
  s->armed_ = false;
  return !s->answered();
}

// Called with the slot locked: the worker cannot be writing its own response meanwhile, since it disarms
// (under the same lock) before it writes.
void deadline_watch::answer(slot& s) {
  auto response = local_response_bytes(503, {}, s.head_);
  // Before the client, answered, closes its end.
  auto peer = runtime::net::peer_endpoint(s.socket_).value_or(runtime::net::endpoint{}).address;
  // Non-blocking: a client that does not read its 503 is not worth stalling the watch for.
  auto sent = ::send(s.socket_, response.data(), response.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
  ::shutdown(s.socket_, SHUT_WR);
  s.answered_ = true;
  runtime::logger().warn("http: request from {} still running at its deadline: answered 503{}; its worker "
                         "stays busy until the pipeline returns",
                         peer.empty() ? "?" : peer, sent < 0 ? " (the client did not take it)" : "");
}

void deadline_watch::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_.wait_for(lock, tick_, [this] { return stop_; })) {
    auto now = clock::now();
    // New slots appear only under mutex_ (held here), and none ever goes away before the watch.
    for (auto& s : slots_) {
      std::lock_guard slot_lock(s->mutex_);
      if (s->armed_ && !s->answered() && s->deadline_ <= now)
        answer(*s);
    }
  }
}

} // namespace plugnode::plugs
