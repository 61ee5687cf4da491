// The authenticated dial; see dist_dialer.hpp.
#include "dist_dialer.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/fwd.hpp>
#include <caf/response_promise.hpp>

#include "basp_handoff.hpp"
#include "handshake_socket.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/log_limiter.hpp"

namespace plugnode::runtime::detail {
namespace {

using clock = std::chrono::steady_clock;

int poll_until(int fd, short events, clock::time_point deadline) {
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now());
  if (left.count() <= 0)
    return 0;
  pollfd p{fd, events, 0};
  return ::poll(&p, 1, static_cast<int>(left.count()));
}

// A connected, non-blocking TCP socket to address:port, or -1 with `error` set.
int open_connection(const std::string& address, std::uint16_t port, clock::time_point deadline,
                    std::string& error) {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
  addrinfo* found = nullptr;
  if (::getaddrinfo(address.c_str(), std::to_string(port).c_str(), &hints, &found) != 0 || !found) {
    error = "not an IP address: " + address;
    return -1;
  }
  int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int failure = fd < 0 ? errno : ::connect(fd, found->ai_addr, found->ai_addrlen) == 0 ? 0 : errno;
  ::freeaddrinfo(found);
  if (failure == EINPROGRESS) {
    failure = ETIMEDOUT;
    while (clock::now() < deadline)
      if (poll_until(fd, POLLOUT, deadline) > 0) {
        socklen_t size = sizeof(failure);
        ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &size);
        break;
      }
  }
  if (failure != 0) {
    if (fd >= 0)
      ::close(fd);
    error = "cannot connect to " + address + ":" + std::to_string(port) + ": " + std::strerror(failure);
    return -1;
  }
  return fd;
}

// Runs the initiator's handshake on `s` until it ends or the deadline passes.
wire_handshake::state run_handshake(handshake_socket& s) {
  auto state = pump(s);
  while (state == wire_handshake::state::running && clock::now() < s.deadline) {
    if (poll_until(s.fd, poll_events(s), s.deadline) < 0 && errno != EINTR)
      break;
    state = pump(s);
  }
  return state;
}

caf::behavior dialer(caf::event_based_actor* self, const dial_settings& cfg, clock::time_point deadline) {
  return {[self, cfg, deadline](caf::connect_atom, const std::string& target, const std::string& address,
                                std::uint16_t port) {
    self->quit();
    auto rp = self->make_response_promise();
    auto fail = [&](const std::string& why) {
      rp.deliver(make_runtime_error(runtime_errc::connect_failed, why));
      return rp;
    };
    std::string error;
    int fd = open_connection(address, port, deadline, error);
    if (fd < 0)
      return fail(error);
    handshake_socket s(fd, wire_handshake::initiator(cfg.cookie, cfg.self), deadline);
    auto state = run_handshake(s);
    if (state != wire_handshake::state::authenticated) {
      ::close(fd);
      auto why = state == wire_handshake::state::refused ? s.handshake.reason()
                                                         : "no handshake answer in time from " + target;
      log_limited(spdlog::level::warn, "failed handshakes", s.address, why + " (peer " + s.peer + ")",
                  {{"peer", s.peer}, {"node", target}, {"reason", why}});
      return fail(why);
    }
    rp.delegate(cfg.basp, caf::connect_atom_v, make_scribe(self->system(), fd), port);
    return rp;
  }};
}

} // namespace

caf::actor spawn_dialer(caf::actor_system& system, const dial_settings& settings,
                        std::chrono::steady_clock::time_point deadline) {
  return system.spawn<caf::detached>(dialer, settings, deadline);
}

} // namespace plugnode::runtime::detail
