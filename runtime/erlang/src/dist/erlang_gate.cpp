// The gate of erlang_gate.hpp.
#include "dist/erlang_gate.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

#include <fmt/format.h>

#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/net/pending_clients.hpp"
#include "plugnode/runtime/net/socket_drop.hpp"

namespace plugnode::erlang::detail {
namespace {

constexpr std::size_t max_waiting = 128;
constexpr std::size_t waiting_per_address = 8;
// A BEAM node sends send_name as soon as it connects.
constexpr std::chrono::milliseconds first_message_limit{1000};
constexpr std::size_t handshakes_per_address = 2;
constexpr std::size_t max_ready = 16; // beyond that the oldest waited too long for an acceptor anyway
// send_name: length:16, then 'n' (version 5) or 'N' (version 6), flags, creation, the name (<= 255 bytes).
constexpr std::size_t max_first_message = 512;
constexpr std::string_view log_kind = "refused Erlang connections";

} // namespace

erlang_gate::erlang_gate(int listen_fd) : listen_fd_(listen_fd) {
  if (::pipe2(wake_, O_CLOEXEC) == 0)
    thread_ = std::thread([this] { run(); });
}

void erlang_gate::stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
    for (auto& c : ready_)
      ::close(c.fd);
    ready_.clear();
  }
  ready_cv_.notify_all();
}

erlang_gate::~erlang_gate() {
  stop();
  if (thread_.joinable()) {
    char stop = 1;
    (void)!::write(wake_[1], &stop, 1);
    thread_.join();
  }
  for (int fd : wake_)
    if (fd >= 0)
      ::close(fd);
}

erlang_gate::connection erlang_gate::take(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  if (!ready_cv_.wait_for(lock, timeout, [this] { return stopping_ || !ready_.empty(); }) || stopping_)
    return {};
  auto c = std::move(ready_.front());
  ready_.pop_front();
  return c;
}

void erlang_gate::done(const std::string& address) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (auto n = handshaking_.find(address); n != handshaking_.end() && --n->second == 0)
    handshaking_.erase(n);
}

bool erlang_gate::admit(runtime::net::pending_client& c) {
  unsigned char peeked[2 + max_first_message];
  auto got = ::recv(c.fd, peeked, sizeof peeked, MSG_PEEK | MSG_DONTWAIT);
  if (got < 0 && (errno == EAGAIN || errno == EINTR))
    return false;
  auto refuse = [&c](std::string_view why) {
    runtime::log_limited(spdlog::level::warn, log_kind, c.address,
                         fmt::format("erlang: refused {}: {}", c.peer, why));
    runtime::net::reset_on_close(c.fd);
    ::close(c.fd);
    return true;
  };
  if (got <= 0)
    return refuse("closed before its first message");
  if (got < 3)
    return false;
  std::size_t length = (std::size_t{peeked[0]} << 8) | peeked[1];
  if (length < 3 || length > max_first_message || (peeked[2] != 'n' && peeked[2] != 'N'))
    return refuse("not Erlang's distribution protocol");
  if (static_cast<std::size_t>(got) < 2 + length)
    return false;
  std::lock_guard<std::mutex> lock(mutex_);
  if (stopping_)
    return refuse("the node is stopping");
  auto& running = handshaking_[c.address];
  if (running >= handshakes_per_address)
    return refuse(fmt::format("{} handshakes from {} already running", handshakes_per_address, c.address));
  if (ready_.size() >= max_ready) {
    auto& oldest = ready_.front();
    if (auto n = handshaking_.find(oldest.address); n != handshaking_.end() && --n->second == 0)
      handshaking_.erase(n);
    runtime::net::reset_on_close(oldest.fd);
    ::close(oldest.fd);
    ready_.pop_front();
  }
  ++running;
  // ei reads and writes with its own timeouts on a blocking socket, as its own accept returns it.
  ::fcntl(c.fd, F_SETFL, ::fcntl(c.fd, F_GETFL) & ~O_NONBLOCK);
  ready_.push_back(connection{c.fd, c.address, c.peer});
  ready_cv_.notify_one();
  return true;
}

void erlang_gate::run() {
  runtime::net::pending_clients waiting(max_waiting, waiting_per_address, log_kind);
  waiting.serve_until_woken(listen_fd_, wake_[0], first_message_limit,
                            [this](runtime::net::pending_client& c) { return admit(c); });
}

} // namespace plugnode::erlang::detail
