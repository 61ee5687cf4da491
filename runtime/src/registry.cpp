// The name registry; see registry.hpp.
#include "registry.hpp"

#include <map>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/local_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "plugnode/runtime/agent_protocol.hpp"

namespace plugnode::runtime::detail {
namespace {

struct registry_state {
  std::map<std::string, caf::actor> names;
  static inline const char* name = "plugnode.registry";
};

caf::behavior registry(caf::stateful_actor<registry_state>* self) {
  self->set_down_handler([self](caf::down_msg& down) {
    auto& names = self->state.names;
    for (auto i = names.begin(); i != names.end();)
      i = i->second.address() == down.source ? names.erase(i) : std::next(i);
  });
  return {
      [self](register_atom, const std::string& name, const caf::actor& who) {
        auto& names = self->state.names;
        auto i = names.find(name);
        if (!who || (i != names.end() && i->second != who))
          return false;
        names[name] = who;
        self->monitor(who);
        return true;
      },
      [self](unregister_atom, const std::string& name) { return self->state.names.erase(name) > 0; },
      [self](call_atom, const std::string& name, caf::message& msg) {
        auto rp = self->make_response_promise();
        auto i = self->state.names.find(name);
        if (i == self->state.names.end())
          rp.deliver(make_runtime_error(runtime_errc::unknown_name, name));
        else
          rp.delegate(i->second, std::move(msg));
        return rp;
      },
      [self](whereis_atom, const std::string& name) -> caf::result<caf::actor> {
        auto i = self->state.names.find(name);
        if (i == self->state.names.end())
          return make_runtime_error(runtime_errc::unknown_name, name);
        return i->second;
      },
  };
}

} // namespace

caf::actor spawn_registry(caf::local_actor* owner) {
  return owner->spawn<caf::linked>(registry);
}

} // namespace plugnode::runtime::detail
