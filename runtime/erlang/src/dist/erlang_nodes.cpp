// The front actor of erlang_nodes.hpp.
#include "dist/erlang_nodes.hpp"

#include <algorithm>
#include <vector>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "epmd/epmd_probe.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "runtime_names.hpp"

namespace plugnode::erlang::detail {
namespace {

struct nodes_state {
  erlang_nodes_settings settings;
  std::vector<caf::actor> subscribers;
  static inline const char* name = "erlang_nodes";
};
using nodes_actor = caf::stateful_actor<nodes_state>;

// The connection's actor for `node`, connecting first (at `address`:`port` when known, else through the
// EPMD of its host); an invalid handle when that fails.
caf::actor peer_of(nodes_actor* self, const std::string& node, bool connect, const std::string& address = "",
                   std::uint16_t port = 0) {
  auto& s = self->state.settings;
  if (auto entry = s.table->find(node))
    return entry->peer;
  if (!connect || node == s.self)
    return nullptr;
  auto why = s.dial(node, address, port);
  if (!why.empty()) {
    // Discovery may retry a node every poll: rate-limited, so a node with the wrong cookie is one line a
    // window, not one a poll.
    runtime::log_limited(spdlog::level::warn, "failed dials to BEAM nodes", node,
                         "erlang: cannot connect to " + node + ": " + why);
    return nullptr;
  }
  auto entry = s.table->find(node);
  return entry ? entry->peer : nullptr;
}

// Where a BEAM peer listens, for /cluster: the address dialled ("to host:port"), or for a node that dialled
// us ("from host:its ephemeral port") its port as the EPMD of its host says; the source port when EPMD
// does not answer.
std::string listening_address(nodes_actor* self, const std::string& node, const std::string& seen) {
  constexpr std::string_view to = "to ", from = "from ";
  if (seen.compare(0, to.size(), to) == 0)
    return seen.substr(to.size());
  if (seen.compare(0, from.size(), from) != 0)
    return seen;
  auto host_port = seen.substr(from.size());
  auto host = host_port.substr(0, host_port.rfind(':'));
  auto answer = probe_epmd(host, self->state.settings.epmd_port, node.substr(0, node.find('@')),
                           std::chrono::milliseconds(300));
  return answer.dist_port ? host + ":" + std::to_string(answer.dist_port) : host_port;
}

caf::behavior erlang_nodes(nodes_actor* self, erlang_nodes_settings settings) {
  self->state.settings = std::move(settings);
  self->set_down_handler([=](const caf::down_msg& down) {
    auto& subs = self->state.subscribers;
    subs.erase(std::remove(subs.begin(), subs.end(), caf::actor_cast<caf::actor>(down.source)), subs.end());
  });
  return {
      [=](caf::connect_atom, const std::string& node) {
        return node == self->state.settings.self || static_cast<bool>(peer_of(self, node, true));
      },
      [=](caf::connect_atom, const std::string& node, const std::string& address, std::uint16_t port) {
        return static_cast<bool>(peer_of(self, node, true, address, port));
      },
      [=](disconnect_atom, const std::string& node) {
        auto entry = self->state.settings.table->find(node);
        if (entry)
          entry->connection->close("disconnect requested");
        return entry.has_value();
      },
      [=](caf::ping_atom, const std::string& node) -> caf::result<bool> {
        if (node == self->state.settings.self)
          return true;
        auto peer = peer_of(self, node, true);
        if (!peer)
          return false;
        // net_adm:ping: net_kernel's answer to {is_auth, Node} is yes.
        auto promise = self->make_response_promise<bool>();
        self->request(peer, erlang_call_timeout, erlang_call_atom_v, std::string("net_kernel"),
                      tuple_of(atom_of("is_auth"), atom_of(self->state.settings.self)),
                      std::chrono::milliseconds(erlang_call_timeout))
            .then([=](const term& answer) mutable { promise.deliver(answer.is_atom("yes")); },
                  [=](const caf::error&) mutable { promise.deliver(false); });
        return promise;
      },
      [=](nodes_atom) { return self->state.settings.table->names(); },
      [=](cluster_atom) {
        std::vector<peer_info> peers;
        for (auto& name : self->state.settings.table->names())
          if (auto entry = self->state.settings.table->find(name))
            peers.push_back(peer_info{name, false,
                                      listening_address(self, name, entry->connection->peer_address()), -1,
                                      entry->connection->silent_ms(), entry->connection->up_ms(), 0});
        return peers;
      },
      [=](monitor_nodes_atom, const caf::actor& who) {
        self->monitor(who);
        self->state.subscribers.push_back(who);
      },
      [=](nodeup_atom, const std::string& node) {
        for (auto& who : self->state.subscribers)
          self->send(who, nodeup_atom_v, node);
      },
      [=](nodedown_atom, const std::string& node, const std::string& reason) {
        for (auto& who : self->state.subscribers)
          self->send(who, nodedown_atom_v, node, reason);
      },
      [=](erlang_call_atom, const std::string& node, const std::string& name, const term& request,
          std::chrono::milliseconds timeout) -> caf::result<term> {
        auto peer = peer_of(self, node, true);
        if (!peer)
          return runtime::make_runtime_error(runtime::runtime_errc::unknown_node, node);
        auto promise = self->make_response_promise<term>();
        self->request(peer, timeout + std::chrono::seconds(1), erlang_call_atom_v, name, request, timeout)
            .then([=](const term& reply) mutable { promise.deliver(reply); },
                  [=](const caf::error& e) mutable { promise.deliver(e); });
        return promise;
      },
      [=](erlang_send_atom, const std::string& node, const std::string& name, const term& message) {
        if (auto peer = peer_of(self, node, true))
          self->send(peer, erlang_send_atom_v, name, message);
      },
  };
}

} // namespace

caf::actor spawn_erlang_nodes(caf::actor_system& system, erlang_nodes_settings settings) {
  return system.spawn<caf::detached>(erlang_nodes, std::move(settings));
}

} // namespace plugnode::erlang::detail
