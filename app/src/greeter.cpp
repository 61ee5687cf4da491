// The greeter of greeter.hpp.
#include "plugnode/app/greeter.hpp"

#include <optional>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <spdlog/spdlog.h>

#include "plugnode/erlang/protocol.hpp"
#include "plugnode/erlang/term_format.hpp"

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
    return {
        [](erlang::erlang_call_atom, const term& request) -> term {
          if (auto name = name_to_greet(request))
            return erlang::binary_of("Hello, " + *name + "!");
          return erlang::tuple_of(erlang::atom_of("error"),
                                  erlang::tuple_of(erlang::atom_of("unknown_request"), request));
        },
        [](erlang::erlang_send_atom, const term& message) {
          // Formatted only when info is on: a stream of sends should not pay for text nobody reads.
          if (spdlog::should_log(spdlog::level::info))
            spdlog::info("greeter: got {}", erlang::to_string(message));
        },
    };
  }
};

} // namespace

caf::actor spawn_greeter(caf::actor_system& system) {
  return system.spawn<greeter>();
}

} // namespace plugnode::app
