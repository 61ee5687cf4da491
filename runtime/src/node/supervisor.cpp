// one_for_one supervision with an intensity limit; see supervisor.hpp.
#include "plugnode/runtime/supervisor.hpp"

#include <map>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/error_text.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugnode::runtime {

bool restart_intensity::allow(std::chrono::steady_clock::time_point now) {
  while (!recent_.empty() && now - recent_.front() > period_)
    recent_.pop_front();
  if (recent_.size() >= max_restarts_)
    return false;
  recent_.push_back(now);
  return true;
}

namespace {

struct running_child {
  child_spec spec;
  caf::actor instance;
};

struct supervisor_state {
  supervisor_options options;
  restart_intensity intensity{0, std::chrono::milliseconds(0)};
  std::map<std::string, restart_intensity> own; // the intensity of each child with a limit of its own
  std::map<caf::actor_addr, running_child> children;
  std::set<caf::actor_addr> started; // every instance ever: their exits (links) are not the supervisor's
  static inline const char* name = "plugnode.supervisor";
};

using supervisor_actor = caf::stateful_actor<supervisor_state>;

void start_child(supervisor_actor* self, child_spec spec) {
  auto instance = spec.start(self->system());
  self->monitor(instance);
  self->link_to(instance);
  self->state.started.insert(instance.address());
  if (auto& registry = self->state.options.registry) {
    // The agent may not have seen the old instance die yet: the supervisor owns the name, so it takes it.
    auto ignore = [](bool) {};
    auto failed = [name = spec.name](const caf::error&) {
      logger().error("supervisor: cannot register {}", name);
    };
    self->request(registry, std::chrono::seconds(5), unregister_atom_v, spec.name).then(ignore, failed);
    self->request(registry, std::chrono::seconds(5), register_atom_v, spec.name, instance)
        .then(ignore, failed);
  }
  self->state.children[instance.address()] = running_child{std::move(spec), instance};
}

caf::behavior supervisor(supervisor_actor* self, supervisor_options options, std::vector<child_spec> specs) {
  self->state.options = std::move(options);
  self->state.intensity = restart_intensity(self->state.options.max_restarts, self->state.options.period);
  // Children die with their supervisor (linked); their own deaths arrive as down messages, not exits.
  self->set_exit_handler([self](caf::exit_msg& msg) {
    if (self->state.started.count(msg.source) == 0)
      self->quit(msg.reason);
  });
  for (auto& spec : specs)
    start_child(self, std::move(spec));
  self->set_down_handler([self](caf::down_msg& down) {
    auto i = self->state.children.find(down.source);
    if (i == self->state.children.end())
      return;
    auto spec = std::move(i->second.spec);
    self->state.children.erase(i);
    auto why = error_text(down.reason);
    auto& intensity = spec.limit ? self->state.own
                                       .try_emplace(spec.name, spec.limit->max_restarts,
                                                    std::chrono::milliseconds(spec.limit->max_seconds))
                                       .first->second
                                 : self->state.intensity;
    if (!intensity.allow(std::chrono::steady_clock::now())) {
      auto restarts = spec.limit ? spec.limit->max_restarts : self->state.options.max_restarts;
      auto period =
          spec.limit ? std::chrono::milliseconds(spec.limit->max_seconds) : self->state.options.period;
      auto reason = "supervisor: child '" + spec.name + "' died (" + why + ") more than " +
                    std::to_string(restarts) + " times in " + std::to_string(period.count()) +
                    " ms; giving up, stopping the node";
      logger().critical("{}", reason);
      if (self->state.options.on_give_up)
        self->state.options.on_give_up(reason);
      self->quit(caf::exit_reason::user_shutdown);
      return;
    }
    logger().warn("supervisor: child '{}' died ({}); restarting it", spec.name, why);
    start_child(self, std::move(spec));
  });
  return {
      [self](caf::get_atom, const std::string& name) -> caf::result<caf::actor> {
        for (auto& [addr, child] : self->state.children)
          if (child.spec.name == name)
            return child.instance;
        return make_runtime_error(runtime_errc::unknown_name, name);
      },
  };
}

} // namespace

caf::actor spawn_supervisor(caf::actor_system& system, supervisor_options options,
                            std::vector<child_spec> children) {
  return system.spawn(supervisor, std::move(options), std::move(children));
}

} // namespace plugnode::runtime
