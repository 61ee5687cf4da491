// The calls of erlang_call.hpp, through the Erlang side's front actor (registered as `erlang`).
#include "plugnode/runtime/erlang_call.hpp"

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/erlang_protocol.hpp"

namespace plugnode::runtime {
namespace {

caf::expected<caf::actor> erlang_side(caf::scoped_actor& self, const caf::actor& agent) {
  caf::expected<caf::actor> result{caf::sec::request_timeout};
  self->request(agent, std::chrono::seconds(2), whereis_atom_v, std::string(erlang_registered_name))
      .receive([&](caf::actor& erlang) { result = std::move(erlang); },
               [&](caf::error& e) { result = std::move(e); });
  return result;
}

} // namespace

caf::expected<term> call_erlang(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                                const std::string& node, const term& request,
                                std::chrono::milliseconds timeout) {
  auto erlang = erlang_side(self, agent);
  if (!erlang)
    return std::move(erlang.error());
  caf::expected<term> result{caf::sec::request_timeout};
  // The front actor may connect first (EPMD and the handshake): that time on top of the call's.
  self->request(*erlang, timeout + std::chrono::seconds(5), erlang_call_atom_v, node, name, request, timeout)
      .receive([&](term& reply) { result = std::move(reply); },
               [&](caf::error& e) { result = std::move(e); });
  return result;
}

caf::error cast_erlang(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                       const std::string& node, const term& message) {
  auto erlang = erlang_side(self, agent);
  if (!erlang)
    return std::move(erlang.error());
  self->send(*erlang, erlang_send_atom_v, node, name, message);
  return caf::none;
}

} // namespace plugnode::runtime
