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

pending_clients::pending_clients(std::size_t total, std::size_t per_address, std::string_view log_kind)
    : budget_(total, per_address), log_kind_(log_kind) {}

pending_clients::~pending_clients() {
  for (auto& c : clients_)
    ::close(c.fd);
}

void pending_clients::accept_from(int listen_fd, std::chrono::milliseconds patience) {
  auto deadline = std::chrono::steady_clock::now() + patience;
  for (std::size_t i = 0; i < accept_batch; ++i) {
    int fd = ::accept4(listen_fd, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0)
      return;
    pending_client c{fd, "unknown peer", "unknown peer", deadline};
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
    if (budget_.full()) {
      auto oldest = std::find_if(clients_.begin(), clients_.end(),
                                 [&](const pending_client& p) { return p.address == budget_.busiest(); });
      close_client(static_cast<std::size_t>(oldest - clients_.begin()),
                   fmt::format("evicted: {} connections waiting", budget_.total()));
    }
    budget_.take(c.address);
    clients_.push_back(std::move(c));
  }
}

void pending_clients::serve_until_woken(int listen_fd, int wake_fd, std::chrono::milliseconds patience,
                                        const std::function<bool(pending_client&)>& ready) {
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
      accept_from(listen_fd, patience);
  }
}

void pending_clients::serve(const std::vector<short>& revents,
                            const std::function<bool(pending_client&)>& ready) {
  auto now = std::chrono::steady_clock::now();
  // Walks backwards so removals do not shift the entries still to visit.
  for (std::size_t i = std::min(revents.size(), clients_.size()); i-- > 0;) {
    if (revents[i] != 0 && ready(clients_[i])) {
      budget_.give_back(clients_[i].address);
      clients_.erase(clients_.begin() + static_cast<std::ptrdiff_t>(i));
    }
  }
  for (std::size_t i = clients_.size(); i-- > 0;)
    if (now > clients_[i].deadline)
      close_client(i, "sent no complete request in time");
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
