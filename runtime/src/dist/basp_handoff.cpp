// Handing authenticated connections to CAF's BASP broker; see basp_handoff.hpp.
#include "dist/basp_handoff.hpp"

#include "dist/buffered_scribe.hpp"

#include <set>
#include <string>

#include <caf/actor_system.hpp>
#include <caf/io/basp_broker.hpp>
#include <caf/io/middleman.hpp>
#include <caf/io/network/default_multiplexer.hpp>
#include <caf/send.hpp>

namespace plugnode::runtime::detail {

caf::actor basp_broker(caf::actor_system& system) {
  return system.middleman().named_broker<caf::io::basp_broker>(caf::atom("BASP"));
}

caf::io::scribe_ptr make_scribe(caf::actor_system& system, int fd) {
  // The middleman's backend is CAF's default multiplexer (plugnode never configures another).
  auto& mpx = static_cast<caf::io::network::default_multiplexer&>(system.middleman().backend());
  return make_buffered_scribe(mpx, fd);
}

void hand_accepted(const caf::actor& basp, caf::io::scribe_ptr scribe, std::uint16_t port,
                   const caf::actor& agent) {
  caf::anon_send(basp, caf::publish_atom_v, std::move(scribe), port,
                 caf::actor_cast<caf::strong_actor_ptr>(agent), std::set<std::string>{});
}

} // namespace plugnode::runtime::detail
