// The PORT_PLEASE2 look-up of epmd_probe.hpp.
#include "epmd/epmd_probe.hpp"

#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "epmd/epmd_wire.hpp"
#include "plugnode/runtime/net/sockets.hpp"
#include "plugnode/runtime/node_name.hpp"
#include "plugnode/runtime/protocol_side.hpp"

namespace plugnode::erlang::detail {
epmd_answer probe_epmd(const std::string& address, std::uint16_t epmd_port, const std::string& alive,
                       std::chrono::milliseconds timeout) {
  auto until = std::chrono::steady_clock::now() + timeout;
  std::string unreachable; // no answer is an answer here: not a BEAM node
  int fd = runtime::net::connect_by(address, epmd_port, until, unreachable);
  if (fd < 0)
    return {};
  std::string request;
  epmd::put16(request, static_cast<std::uint16_t>(alive.size() + 1));
  request += static_cast<char>(epmd::port_please2_req);
  request += alive;
  // PORT2_RESP: code, result (0: registered), then port:16 and the node type; the rest is not needed.
  unsigned char reply[5] = {};
  bool answered = epmd::write_all(fd, request, until) &&
                  epmd::read_exact(fd, reinterpret_cast<char*>(reply), 2, until) &&
                  reply[0] == epmd::port2_resp && reply[1] == 0 &&
                  epmd::read_exact(fd, reinterpret_cast<char*>(reply) + 2, 3, until);
  ::close(fd);
  if (!answered)
    return {};
  return {reply[4] == epmd::normal_node, static_cast<std::uint16_t>((reply[2] << 8) | reply[3])};
}

caf::actor spawn_epmd_prober(caf::actor_system& system, std::uint16_t epmd_port) {
  // The port goes in as a spawn argument, not a capture: CAF 0.17 spawns a function without arguments by
  // dereferencing an empty argument tuple (init_fun_factory), which UBSan stops on.
  return system.spawn(
      [](caf::event_based_actor* self, std::uint16_t epmd) -> caf::behavior {
        return {[=](runtime::probe_atom, const std::string& address, const std::string& node,
                    std::chrono::milliseconds bound) {
          auto rp = self->make_response_promise();
          auto name = runtime::node_name::parse(node);
          if (!name) {
            rp.deliver(false, std::uint16_t{0});
            return rp;
          }
          auto probe = self->spawn<caf::detached>(
              [](caf::event_based_actor* me, std::string host, std::uint16_t port, std::string alive,
                 std::chrono::milliseconds timeout) -> caf::behavior {
                return {[=](caf::get_atom) {
                  me->quit();
                  auto answer = probe_epmd(host, port, alive, timeout);
                  return caf::make_message(answer.beam, answer.dist_port);
                }};
              },
              address, epmd, name->app(), bound);
          rp.delegate(probe, caf::get_atom_v);
          return rp;
        }};
      },
      epmd_port);
}

} // namespace plugnode::erlang::detail
