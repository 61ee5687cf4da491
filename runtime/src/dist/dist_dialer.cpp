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
#include "plugnode/runtime/net/sockets.hpp"

namespace plugnode::runtime::detail {
namespace {

using clock = std::chrono::steady_clock;
using net::poll_until;

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
    int fd = net::connect_by(address, port, deadline, error);
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
