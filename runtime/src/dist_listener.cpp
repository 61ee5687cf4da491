// The distribution port's accept loop; see dist_listener.hpp.
#include "dist_listener.hpp"

#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "basp_handoff.hpp"
#include "handshake_socket.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugnode::runtime::detail {
namespace {

using clock = std::chrono::steady_clock;

// Handshakes in progress at once; more connections are closed at accept, so a flood of idle sockets costs
// a bounded amount of memory and poll time (each still ends at its deadline).
constexpr std::size_t max_pending = 64;
// The longest single poll: deadlines are checked at least this often.
constexpr std::chrono::milliseconds poll_slice{50};

int bind_listener(const std::string& address, std::uint16_t port, std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  auto host = address.empty() ? nullptr : address.c_str();
  if (int rc = ::getaddrinfo(host, std::to_string(port).c_str(), &hints, &found); rc != 0 || !found) {
    error = "cannot resolve " + address + ": " + ::gai_strerror(rc);
    return -1;
  }
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int yes = 1;
  // SO_REUSEADDR as CAF's publish(..., reuse = true): a restarted node gets its port back at once.
  bool ok = fd >= 0 && ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes) == 0 &&
            ::bind(fd, found->ai_addr, found->ai_addrlen) == 0 && ::listen(fd, SOMAXCONN) == 0;
  ::freeaddrinfo(found);
  if (!ok) {
    error = std::strerror(errno);
    if (fd >= 0)
      ::close(fd);
    return -1;
  }
  return fd;
}

std::uint16_t bound_port(int fd) {
  sockaddr_storage local{};
  socklen_t size = sizeof(local);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &size);
  if (local.ss_family == AF_INET6)
    return ntohs(reinterpret_cast<sockaddr_in6*>(&local)->sin6_port);
  return ntohs(reinterpret_cast<sockaddr_in*>(&local)->sin_port);
}

} // namespace

std::unique_ptr<dist_listener> dist_listener::open(caf::actor_system& system, listen_settings settings,
                                                   std::string& error) {
  int fd = bind_listener(settings.address, settings.port, error);
  if (fd < 0)
    return nullptr;
  auto port = bound_port(fd);
  return std::unique_ptr<dist_listener>(new dist_listener(system, std::move(settings), fd, port));
}

dist_listener::dist_listener(caf::actor_system& system, listen_settings settings, int fd, std::uint16_t port)
    : system_(system), settings_(std::move(settings)), fd_(fd), port_(port) {
  if (::pipe2(wake_, O_CLOEXEC | O_NONBLOCK) != 0)
    wake_[0] = wake_[1] = -1;
  thread_ = std::thread([this] { run(); });
}

dist_listener::~dist_listener() {
  stop_ = true;
  if (wake_[1] >= 0)
    (void)::write(wake_[1], "x", 1);
  thread_.join();
  ::close(fd_);
  for (int fd : wake_)
    if (fd >= 0)
      ::close(fd);
}

void dist_listener::run() {
  std::vector<handshake_socket> pending;
  std::vector<pollfd> fds;
  auto drop = [](handshake_socket& s, const std::string& why) {
    logger().warn("{} (peer {})", why, s.peer);
    ::close(s.fd);
  };
  while (!stop_) {
    fds.assign({pollfd{wake_[0], POLLIN, 0}, pollfd{fd_, POLLIN, 0}});
    for (auto& s : pending)
      fds.push_back(pollfd{s.fd, poll_events(s), 0});
    if (::poll(fds.data(), fds.size(), static_cast<int>(poll_slice.count())) < 0 && errno != EINTR)
      break;
    if (stop_)
      break;
    for (std::size_t i = 0; i < max_pending && (fds[1].revents & POLLIN); ++i) {
      int fd = ::accept4(fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0)
        break;
      handshake_socket s(fd, wire_handshake::responder(settings_.cookie, settings_.self),
                         clock::now() + settings_.handshake_timeout);
      if (pending.size() >= max_pending) {
        drop(s, "refused a connection: too many handshakes in progress");
        continue;
      }
      pending.push_back(std::move(s));
    }
    auto now = clock::now();
    for (auto i = pending.begin(); i != pending.end();) {
      auto state = pump(*i);
      if (state == wire_handshake::state::authenticated) {
        logger().debug("node {} authenticated (peer {})", i->handshake.peer_name(), i->peer);
        hand_accepted(settings_.basp, make_scribe(system_, i->fd), port_, settings_.agent);
      } else if (state == wire_handshake::state::refused) {
        drop(*i, i->handshake.reason());
      } else if (now > i->deadline) {
        auto who = i->handshake.peer_name().empty() ? "a peer" : "node " + i->handshake.peer_name();
        drop(*i, who + " did not authenticate within " + std::to_string(settings_.handshake_timeout.count()) +
                     " ms (wrong cookie?); dropping it");
      } else {
        ++i;
        continue;
      }
      i = pending.erase(i);
    }
  }
  for (auto& s : pending)
    ::close(s.fd);
}

} // namespace plugnode::runtime::detail
