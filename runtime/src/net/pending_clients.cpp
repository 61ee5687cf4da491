// The bounded holding area of pending_clients.hpp.
#include "plugnode/runtime/net/pending_clients.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include <fmt/format.h>

#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/net/socket_drop.hpp"

namespace plugnode::runtime::net {
namespace {

// Connections accepted per turn, so the clients already held get their turn under a flood.
constexpr std::size_t accept_batch = 256;
// The longest single poll: deadlines are checked at least this often.
constexpr int poll_slice_ms = 50;

} // namespace

pending_clients::pending_clients(std::size_t total, std::size_t per_address, std::size_t max_request,
                                 std::string_view log_kind)
    : budget_(total, per_address), max_request_(max_request), log_kind_(log_kind) {}

pending_clients::~pending_clients() {
  for (auto& c : clients_)
    ::close(c.fd);
}

void pending_clients::accept_from(int listen_fd, std::chrono::milliseconds patience,
                                  const std::function<bool(pending_client&)>& ready) {
  auto now = std::chrono::steady_clock::now();
  auto deadline = now + patience;
  for (std::size_t i = 0; i < accept_batch; ++i) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
      return;
    pending_client c{fd, "unknown peer", "unknown peer", deadline, now, {}};
    std::uint16_t port = 0;
    if (peer_of(fd, c.address, port))
      c.peer = c.address + ":" + std::to_string(port);
    if (budget_.spent(c.address)) {
      reset_on_close(fd);
      ::close(fd);
      log_limited(spdlog::level::warn, log_kind_, c.address,
                  fmt::format("{}: refused {}: {} connections from {} already waiting", log_kind_, c.peer,
                              budget_.per_address(), c.address));
      continue;
    }
    // A request is usually there by now: served at once, it takes no slot and no eviction can reach it.
    std::string why;
    auto done = offer(c, ready, why);
    if (done == outcome::served)
      continue;
    if (done == outcome::failed) { // logged and closed as any held client would be
      budget_.take(c.address);
      clients_.push_back(std::move(c));
      close_client(clients_.size() - 1, why);
      continue;
    }
    if (budget_.full()) {
      auto evicted = budget_.evictee(
          clients_.begin(), clients_.end(),
          [](const pending_client& p) -> const std::string& { return p.address; },
          [](const pending_client& p) { return p.heard; });
      close_client(static_cast<std::size_t>(evicted - clients_.begin()),
                   fmt::format("evicted: {} connections waiting", budget_.total()));
    }
    budget_.take(c.address);
    clients_.push_back(std::move(c));
  }
}

void pending_clients::serve_until_woken(int listen_fd, int wake_fd, std::chrono::milliseconds patience,
                                        const std::function<bool(pending_client&)>& ready,
                                        const std::function<void()>& each_turn) {
  std::vector<pollfd> fds;
  std::vector<short> revents;
  for (;;) {
    fds = {{listen_fd, POLLIN, 0}, {wake_fd, POLLIN, 0}};
    for (auto& c : clients_)
      fds.push_back(pollfd{c.fd, POLLIN, 0});
    if (::poll(fds.data(), fds.size(), poll_slice_ms) < 0 && errno != EINTR)
      return;
    if (fds[1].revents != 0)
      return;
    revents.clear();
    for (std::size_t i = 2; i < fds.size(); ++i)
      revents.push_back(fds[i].revents);
    serve(revents, ready);
    if (fds[0].revents & POLLIN)
      accept_from(listen_fd, patience, ready);
    if (each_turn)
      each_turn();
  }
}

void pending_clients::serve(const std::vector<short>& revents,
                            const std::function<bool(pending_client&)>& ready) {
  auto now = std::chrono::steady_clock::now();
  // Walks backwards so removals do not shift the entries still to visit.
  for (std::size_t i = std::min(revents.size(), clients_.size()); i-- > 0;) {
    if (revents[i] == 0)
      continue;
    std::string why;
    auto done = offer(clients_[i], ready, why);
    if (done == outcome::served) {
      budget_.give_back(clients_[i].address);
      clients_.erase(clients_.begin() + static_cast<std::ptrdiff_t>(i));
    } else if (done == outcome::failed) {
      close_client(i, why);
    }
  }
  for (std::size_t i = clients_.size(); i-- > 0;)
    if (now > clients_[i].deadline)
      close_client(i, "sent no complete request in time");
}

bool pending_clients::read_from(pending_client& c) {
  // Drains what is there (up to the request's limit), so poll waits for the next byte instead of waking at
  // once for the same ones.
  char chunk[512];
  while (c.received.size() < max_request_) {
    auto got = ::recv(c.fd, chunk, std::min(sizeof chunk, max_request_ - c.received.size()), MSG_DONTWAIT);
    if (got > 0) {
      c.received.append(chunk, static_cast<std::size_t>(got));
      c.heard = std::chrono::steady_clock::now();
    } else if (got == 0) {
      return false;
    } else {
      return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
    }
  }
  return true;
}

pending_clients::outcome pending_clients::offer(pending_client& c,
                                                const std::function<bool(pending_client&)>& ready,
                                                std::string& why) {
  bool open = read_from(c);
  if (ready(c))
    return outcome::served;
  if (!open)
    why = "closed its side before a complete request";
  else if (c.received.size() >= max_request_)
    why = fmt::format("sent {} bytes without a complete request", c.received.size());
  else
    return outcome::waiting;
  return outcome::failed;
}

void pending_clients::close_client(std::size_t i, std::string_view why) {
  auto& c = clients_[i];
  reset_on_close(c.fd);
  ::close(c.fd);
  log_limited(spdlog::level::info, log_kind_, c.address,
              fmt::format("{}: closed {}: {}", log_kind_, c.peer, why));
  budget_.give_back(c.address);
  clients_.erase(clients_.begin() + static_cast<std::ptrdiff_t>(i));
}

} // namespace plugnode::runtime::net
