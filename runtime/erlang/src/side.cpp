// The Erlang side's starter (side.hpp): the node calls it once its own listener runs.
#include "plugnode/erlang/side.hpp"

#include "dist/erlang_dist.hpp"

namespace plugnode::erlang {

runtime::side_starter side(const dist_options& dist) {
  if (!dist.enabled)
    return {};
  return [dist](caf::actor_system& system, const runtime::side_context& node,
                std::string& error) -> std::unique_ptr<runtime::protocol_side> {
    detail::erlang_dist_settings settings{node.name,        node.cookie,          node.bind_address,
                                          node.incarnation, node.connect_timeout, dist,
                                          node.agent,       node.resolver};
    return detail::erlang_dist::start(system, std::move(settings), error);
  };
}

} // namespace plugnode::erlang
