// The calls of erlang_call.hpp, through the Erlang side's front actor (registered as `erlang`).
#include "plugnode/erlang/call.hpp"

#include "plugnode/erlang/protocol.hpp"
#include "plugnode/runtime/ask.hpp"
#include "runtime_names.hpp"

namespace plugnode::erlang {

caf::expected<erlang_side> erlang_side_of(caf::scoped_actor& self, const caf::actor& agent) {
  auto front = runtime::ask<caf::actor>(*self.ptr(), agent, std::chrono::seconds(2), whereis_atom_v,
                                        std::string(erlang_registered_name));
  if (!front)
    return std::move(front.error());
  return erlang_side{std::move(*front)};
}

caf::expected<term> call_erlang(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                                const std::string& node, const term& request,
                                std::chrono::milliseconds timeout) {
  auto erlang = erlang_side_of(self, agent);
  if (!erlang)
    return std::move(erlang.error());
  return call_erlang(self, *erlang, name, node, request, timeout);
}

caf::expected<term> call_erlang(caf::scoped_actor& self, const erlang_side& erlang, const std::string& name,
                                const std::string& node, const term& request,
                                std::chrono::milliseconds timeout) {
  // The front actor may connect first (EPMD and the handshake): that time on top of the call's.
  return runtime::ask<term>(*self.ptr(), erlang.front, timeout + std::chrono::seconds(5), erlang_call_atom_v,
                            node, name, request, timeout);
}

caf::error cast_erlang(caf::scoped_actor& self, const caf::actor& agent, const std::string& name,
                       const std::string& node, const term& message) {
  auto erlang = erlang_side_of(self, agent);
  if (!erlang)
    return std::move(erlang.error());
  cast_erlang(self, *erlang, name, node, message);
  return caf::none;
}

void cast_erlang(caf::scoped_actor& self, const erlang_side& erlang, const std::string& name,
                 const std::string& node, const term& message) {
  self->send(erlang.front, erlang_send_atom_v, node, name, message);
}

} // namespace plugnode::erlang
