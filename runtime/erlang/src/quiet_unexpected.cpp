// The default handler of protocol.hpp's quiet_unexpected: a peer's message an exported actor cannot use is
// one rate-limited warning, its term cut to log_term_limit, never CAF's unbounded print to stderr.
#include <caf/message_view.hpp>
#include <caf/result.hpp>
#include <caf/scheduled_actor.hpp>
#include <caf/sec.hpp>

#include "plugnode/erlang/protocol.hpp"
#include "plugnode/erlang/term_format.hpp"
#include "plugnode/runtime/log_limiter.hpp"

namespace plugnode::erlang {

void quiet_unexpected(caf::scheduled_actor* actor, std::string name) {
  actor->set_default_handler(
      [name](caf::scheduled_actor* self, caf::message_view& x) -> caf::result<caf::message> {
        auto& xs = x.content();
        std::string what;
        if (xs.match_elements<erlang_send_atom, term>() || xs.match_elements<erlang_call_atom, term>())
          what = (xs.match_element<erlang_call_atom>(0) ? "a call " : "a message ") +
                 to_string(xs.get_as<term>(1), log_term_limit);
        else
          what = "a message of " + std::to_string(xs.size()) + " elements";
        runtime::log_limited(spdlog::level::warn, "stray messages to exported actors", name,
                             "erlang: " + name + " has no handler for " + what + ": dropped");
        // A request's caller learns at once; a plain message gets no answer at all: an error sent back to an
        // actor that has no handler for it would end that actor (CAF's default error handler quits).
        if (self->current_mailbox_element()->mid.is_request())
          return caf::sec::unexpected_message;
        return caf::delegated<caf::message>{};
      });
}

} // namespace plugnode::erlang
