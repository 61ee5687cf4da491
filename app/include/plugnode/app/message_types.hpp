// message_types: a service's own message types across nodes. CAF 0.17 serializes a type only when it was
// added to the actor system's configuration under a name, before the system starts, and the receiving node
// finds it by that name: so a service declares each type once (service::message_type<T>("name")), every
// node of it adds the same ones, and a call (service.hpp) checks the types it is about to send or receive
// against both nodes first: a type one of them lacks is an error naming it and the node, not CAF's
// `unexpected_message` with the cause on stderr.
//
//   struct point { std::int32_t x = 0, y = 0; };
//   template <class Inspector> typename Inspector::result_type inspect(Inspector& f, point& p) {
//     return f(caf::meta::type_name("point"), p.x, p.y);
//   }
//   svc.message_type<point>("point");
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/detail/implicit_conversions.hpp>
#include <caf/error.hpp>
#include <caf/fwd.hpp>
#include <caf/type_nr.hpp>

#include "plugnode/app/node_routes.hpp"
#include "plugnode/plugs/conn.hpp"

namespace plugnode::app {

struct declared_type {
  std::string name;                                   // the same on every node
  std::function<void(caf::actor_system_config&)> add; // cfg.add_message_type<T>(name)
};

template <class T> declared_type declare_message_type(std::string name) {
  return {name, [name](caf::actor_system_config& cfg) { cfg.add_message_type<T>(name); }};
}

// What node_options::message_types runs: adds every declared type.
std::function<void(caf::actor_system_config&)> add_message_types(const std::vector<declared_type>& types);

// A type as CAF identifies it in a message: its built-in number (0 for any other type) and its type_info.
using message_type_id = std::pair<std::uint16_t, const std::type_info*>;

template <class... Ts> std::vector<message_type_id> message_type_ids() {
  return {message_type_id{caf::type_nr<typename caf::detail::strip_and_convert<Ts>::type>::value,
                          &typeid(typename caf::detail::strip_and_convert<Ts>::type)}...};
}

// None when `target` runs on this node (nothing is serialized), or when every type of `types` that is not
// built into CAF is known on this node and declared by the service on the target's node too (asked once per
// node incarnation, then remembered); else runtime_errc::undeclared_type naming the type and the node that
// lacks it.
caf::error check_message_types(plugs::conn& c, const node_services& node, const caf::actor& target,
                               const std::string& on_node, std::chrono::milliseconds timeout,
                               const std::vector<message_type_id>& types);

// The actor every node registers as types_name: answers (caf::get_atom) with the names its service
// declared, for other nodes' checks.
caf::actor spawn_declared_types(caf::actor_system& system, std::vector<std::string> names);

} // namespace plugnode::app
