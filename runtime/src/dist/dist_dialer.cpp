// The authenticated dial; see dist_dialer.hpp.
#include "dist/dist_dialer.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/io/fwd.hpp>
#include <caf/response_promise.hpp>

#include "dist/basp_handoff.hpp"
#include "dist/handshake_socket.hpp"
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
    auto rp = self->make_response_promise();
    auto fail = [&](const std::string& why) {
      self->quit();
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
      // A peer that named itself in the handshake and then did not authenticate is a node with another
      // cookie: a dead node never answers, another protocol never names itself.
      auto why = state != wire_handshake::state::refused ? "no handshake answer in time from " + target
                 : s.handshake.peer_name().empty()
                     ? s.handshake.reason()
                     : "wrong cookie: " + s.handshake.peer_name() + " at " + address + ":" +
                           std::to_string(port) + " does not share this node's cookie";
      log_limited(spdlog::level::warn, "failed handshakes", s.address,
                  (state == wire_handshake::state::refused ? s.handshake.reason() : why) + " (peer " +
                      s.peer + ")",
                  {{"peer", s.peer}, {"node", target}, {"reason", why}});
      return fail(why);
    }
    auto left = std::max(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - clock::now()),
                         std::chrono::milliseconds(1));
    self->request(cfg.basp, left, caf::connect_atom_v, make_scribe(self->system(), fd), port)
        .then(
            [=, peer = s.handshake.peer_name()](const caf::node_id& nid, caf::strong_actor_ptr& agent,
                                                std::set<std::string>& interfaces) mutable {
              self->quit();
              // BASP answers with this node's id when the peer had the same one (and closed the connection).
              if (nid == self->node() && peer != cfg.self)
                rp.deliver(make_runtime_error(runtime_errc::connect_failed,
                                              same_node_id(address + ":" + std::to_string(port), peer)));
              else
                rp.deliver(nid, std::move(agent), std::move(interfaces));
            },
            [=](caf::error& err) mutable {
              self->quit();
              rp.deliver(std::move(err));
            });
    return rp;
  }};
}

} // namespace

std::string same_node_id(const std::string& where, const std::string& peer) {
  auto what = peer.empty()
                  ? where + " answers with this node's own CAF node id: it is this node itself, or another "
                            "node with the same id"
                  : where + " is " + peer + ", another node with this node's own CAF node id";
  return what +
         " (CAF 0.17 derives the id from the host's MAC addresses and the process id: two nodes in one "
         "network namespace that both run as PID 1, as containers with host networking do, get the same "
         "one and cannot connect; give each node a network namespace of its own or a different PID)";
}

caf::actor spawn_dialer(caf::actor_system& system, const dial_settings& settings,
                        std::chrono::steady_clock::time_point deadline) {
  return system.spawn<caf::detached>(dialer, settings, deadline);
}

} // namespace plugnode::runtime::detail
