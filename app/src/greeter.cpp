// The greeter of greeter.hpp.
#include "plugnode/app/greeter.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "plugnode/app/registered_names.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/erlang/term_format.hpp"
#include "plugnode/runtime/log_limiter.hpp"

namespace plugnode::app {
namespace {

using erlang::term;

// The name in `{:greet, name}`, given as a string, a charlist or an atom.
std::optional<std::string> name_to_greet(const term& request) {
  auto t = request.get_if<erlang::tuple>();
  if (t == nullptr || t->elements.size() != 2 || !t->elements[0].is_atom("greet"))
    return std::nullopt;
  return erlang::text_of(t->elements[1]);
}

// A class, not a function: CAF 0.17 dereferences a null argument tuple when a function actor is spawned
// without arguments (UBSan stops there).
class greeter : public caf::event_based_actor {
public:
  using caf::event_based_actor::event_based_actor;

  caf::behavior make_behavior() override {
    erlang::quiet_unexpected(this, greeter_name);
    return {
        [](erlang::erlang_call_atom, const term& request) -> term {
          if (auto name = name_to_greet(request))
            return erlang::binary_of("Hello, " + *name + "!");
          return erlang::tuple_of(erlang::atom_of("error"),
                                  erlang::tuple_of(erlang::atom_of("unknown_request"), request));
        },
        [](erlang::erlang_send_atom, const term& message) {
          // Formatted only when info is on: a stream of sends should not pay for text nobody reads. A
          // peer's term is cut to a bound and a flood of them is summarised (log_limiter.hpp): a BEAM
          // node's sends never make the log grow faster than a bounded rate.
          if (spdlog::should_log(spdlog::level::info))
            runtime::log_limited(spdlog::level::info, "messages to the greeter", greeter_name,
                                 "greeter: got " + erlang::to_string(message, erlang::log_term_limit));
        },
    };
  }
};

} // namespace

caf::actor spawn_greeter(caf::actor_system& system) {
  return system.spawn<greeter>();
}

} // namespace plugnode::app
