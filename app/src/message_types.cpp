// Declared message types and the check of a call's types against both nodes; see message_types.hpp.
#include "plugnode/app/message_types.hpp"

#include <cxxabi.h>

#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <set>

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/node_id.hpp>

#include "plugnode/app/registered_names.hpp"
#include "plugnode/plugs/ask.hpp"
#include "plugnode/runtime/agent_protocol.hpp"

namespace plugnode::app {
namespace {

std::string cxx_name(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(abi::__cxa_demangle(type.name(), nullptr, nullptr, &status),
                                              std::free);
  return status == 0 && name ? name.get() : type.name();
}

// The declared names of other nodes' services, by node incarnation (a node restarted with other types gets
// a new node id, so an entry never goes stale). Bounded: a long-lived node sees peers come and go.
class remote_declarations {
public:
  std::shared_ptr<const std::set<std::string>> find(const caf::node_id& node) {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = known_.find(node);
    return it == known_.end() ? nullptr : it->second;
  }
  void remember(const caf::node_id& node, std::shared_ptr<const std::set<std::string>> names) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (known_.size() >= 1024)
      known_.clear();
    known_[node] = std::move(names);
  }

private:
  std::mutex mutex_;
  std::map<caf::node_id, std::shared_ptr<const std::set<std::string>>> known_;
};

remote_declarations& remote() {
  static remote_declarations declarations;
  return declarations;
}

caf::error undeclared(const std::string& what) {
  return runtime::make_runtime_error(runtime::runtime_errc::undeclared_type, what);
}

} // namespace

std::function<void(caf::actor_system_config&)> add_message_types(const std::vector<declared_type>& types) {
  return [types](caf::actor_system_config& cfg) {
    for (const auto& type : types)
      type.add(cfg);
  };
}

caf::error check_message_types(plugs::conn& c, const node_services& node, const caf::actor& target,
                               const std::string& on_node, std::chrono::milliseconds timeout,
                               const std::vector<message_type_id>& types) {
  auto& system = target->home_system();
  if (target->node() == system.node())
    return caf::none; // nothing is serialized on the way to a local actor
  std::vector<std::string> to_check;
  for (const auto& [number, info] : types) {
    if (number != 0)
      continue; // built into CAF: every node has it
    const auto& name = system.types().portable_name(number, info);
    if (name == system.types().default_type_name())
      return undeclared("message type " + cxx_name(*info) + " is not declared on " + node.node +
                        ": declare it on every node with svc.message_type<" + cxx_name(*info) +
                        ">(\"name\")");
    if (node.message_types && node.message_types->count(name) != 0)
      to_check.push_back(name);
  }
  if (to_check.empty())
    return caf::none;
  auto declared = remote().find(target->node());
  if (!declared) {
    auto lister = plugs::ask<caf::actor>(c, node.agent, timeout, runtime::whereis_atom_v,
                                         std::string(types_name), on_node);
    if (!lister)
      return std::move(lister.error());
    auto names = plugs::ask<std::vector<std::string>>(c, *lister, timeout, caf::get_atom_v);
    if (!names)
      return std::move(names.error());
    declared = std::make_shared<const std::set<std::string>>(names->begin(), names->end());
    remote().remember(target->node(), declared);
  }
  for (const auto& name : to_check)
    if (declared->count(name) == 0)
      return undeclared("message type '" + name + "' is not declared on " + on_node + " (it is on " +
                        node.node + "): every node of the service declares the same message types");
  return caf::none;
}

caf::actor spawn_declared_types(caf::actor_system& system, std::vector<std::string> names) {
  return system.spawn(
      [](caf::event_based_actor*, const std::vector<std::string>& declared) -> caf::behavior {
        return {[declared](caf::get_atom) { return declared; }};
      },
      std::move(names));
}

} // namespace plugnode::app
