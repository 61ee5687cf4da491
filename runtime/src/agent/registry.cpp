// The name registry; see registry.hpp.
#include "agent/registry.hpp"

#include <map>
#include <string>

#include <caf/event_based_actor.hpp>
#include <caf/local_actor.hpp>

#include "plugnode/runtime/agent_protocol.hpp"

namespace plugnode::runtime::detail {
namespace {

// A class rather than a function: CAF 0.17 dereferences a null argument tuple when it spawns a function
// actor without arguments (UBSan stops there).
class registry_actor final : public caf::event_based_actor {
public:
  using caf::event_based_actor::event_based_actor;
  const char* name() const override { return "plugnode.registry"; }

  caf::behavior make_behavior() override {
    set_down_handler([this](caf::down_msg& down) {
      for (auto i = names_.begin(); i != names_.end();)
        i = i->second.address() == down.source ? names_.erase(i) : std::next(i);
    });
    return {
        [this](register_atom, const std::string& name, const caf::actor& who) {
          auto i = names_.find(name);
          if (!who || (i != names_.end() && i->second != who))
            return false;
          names_[name] = who;
          monitor(who);
          return true;
        },
        [this](unregister_atom, const std::string& name) { return names_.erase(name) > 0; },
        [this](call_atom, const std::string& name, caf::message& msg) {
          auto rp = make_response_promise();
          auto i = names_.find(name);
          if (i == names_.end())
            rp.deliver(make_runtime_error(runtime_errc::unknown_name, name));
          else
            rp.delegate(i->second, std::move(msg));
          return rp;
        },
        [this](whereis_atom, const std::string& name) -> caf::result<caf::actor> {
          auto i = names_.find(name);
          if (i == names_.end())
            return make_runtime_error(runtime_errc::unknown_name, name);
          return i->second;
        },
    };
  }

  // An actor object lives until its last handle goes: names kept after the end would keep every registered
  // actor (the shell and rpc services run detached, and the actor system's destructor waits for their
  // threads, which end only with their objects) for as long as anything holds the registry.
  void on_exit() override { names_.clear(); }

private:
  std::map<std::string, caf::actor> names_;
};

} // namespace

caf::actor spawn_registry(caf::local_actor* owner) {
  return owner->spawn<registry_actor, caf::linked>();
}

} // namespace plugnode::runtime::detail
