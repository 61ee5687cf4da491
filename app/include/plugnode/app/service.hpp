// service: plugnode as a library, the public API for a team's own service. Its main.cpp declares the
// application part (plugs, routes, long-lived actors, remote-shell commands) and hands it to run_service,
// which gives it everything the `plugnode` binary has: every command (foreground, console, remote_console,
// rpc, ping, stop, pid, describe, version, help), the whole configuration table, discovery, the operator
// routes (/healthz /readyz /metrics /cluster /status), JSON logs and the graceful stop. The `plugnode`
// binary is itself such a service (hello_routes.hpp). docs/guide.md walks through one.
//
//   int main(int argc, char** argv) {
//     plugnode::app::service svc;
//     svc.name = "counter";
//     svc.routes = [](plugnode::plugs::router& r, const plugnode::app::node_services& node) { ... };
//     svc.actors.push_back({"counter", [](caf::actor_system& sys, const auto&) { return sys.spawn(...); }});
//     return plugnode::app::run_service(svc, argc, argv);
//   }
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_system.hpp>
#include <caf/detail/type_traits.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "plugnode/app/message_types.hpp"
#include "plugnode/app/node_routes.hpp"
#include "plugnode/app/service_setting.hpp"
#include "plugnode/app/shell_extension.hpp"
#include "plugnode/plugs/ask.hpp"
#include "plugnode/plugs/plug.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/entities.hpp"
#include "plugnode/runtime/error_text.hpp"
#include "plugnode/runtime/pubsub.hpp"
#include "plugnode/runtime/remote_call.hpp" // runtime::call, for actors and shell commands

namespace plugnode::app {

// A long-lived actor of the application: started under the node's one_for_one supervisor (restarted when it
// dies, the node stopped when it keeps dying) and registered with the node agent as `name`, so any node of
// the cluster reaches it as {name, node} (call below, runtime::call in an actor or a shell command). BEAM
// nodes reach it only when `beam` is set (GenServer.call({name, node}, ...), erlang/protocol.hpp); such an
// actor should install erlang::quiet_unexpected, so a BEAM node's stray messages cannot flood stderr.
struct service_actor {
  std::string name;
  std::function<caf::actor(caf::actor_system&, const node_services&)> start;
  // Erlang's restart intensity, this actor's alone: restarted at most max_restarts times within
  // max_seconds; one crash more stops the node, which logs the last crash's reason (a pod restarts it).
  std::size_t max_restarts = 3;
  std::chrono::seconds max_seconds{5};
  bool beam = false; // exported to BEAM nodes (GenServer.call({name, node}, ...) reaches it)
};

// A scope of routes (Phoenix's `scope "/api"` with `pipe_through`): every request below `prefix` runs the
// scope's plugs, then its routes, which match the path below the prefix (`/counters/:key` in scope `/api`
// answers `/api/counters/:key`). Plugs of a scope never run for the operator routes or for other scopes.
struct service_scope {
  std::string prefix;
  std::vector<plugs::plug> plugs;
  std::function<void(plugs::router& router, const node_services& node)> routes;
};

struct service {
  std::string name = "plugnode"; // the program's name in help, errors, `version` and the start-up log line
  std::string version;           // empty: plugnode's own
  std::string summary = "a clustered HTTP service on plugnode"; // the first line of `help`
  // Run for every request after the node's own plugs (request id, logger, metrics, HEAD) and before the
  // router: so they see the operator routes' requests too.
  std::vector<plugs::plug> plugs;
  // Adds the application's routes to the node's router, after the operator routes (which therefore win).
  // `node` is the running node: its name, its agent, the metrics registry the application's metrics go in.
  std::function<void(plugs::router& router, const node_services& node)> routes;
  std::vector<service_actor> actors;     // started in order, after the node's own actors
  std::vector<shell_extension> commands; // extra remote-shell commands (also in `rpc` and `console`)

  // Scoped routes, each with its own plugs (service_scope); matched before `routes`.
  std::vector<service_scope> scopes;
  // The service's own settings: in `help` and `describe`, checked at start-up like the node's own, read in
  // its code through node.settings (service_setting.hpp).
  std::vector<service_setting> settings;
  // Message types that cross nodes (structs in remote calls), each under a name that is the same on every
  // node: declare them with message_type<T>("name") (message_types.hpp).
  std::vector<declared_type> message_types;
  template <class T> service& message_type(std::string type_name) {
    message_types.push_back(declare_message_type<T>(std::move(type_name)));
    return *this;
  }
  // Sharded entity types this service hosts (runtime/entity_type.hpp): reached from any node with
  // entity_call below (a plug) or runtime::entity_call (an actor); every node running the service hosts them.
  std::vector<runtime::entity_type> entities;
};

// Runs the command line (`<name> foreground` ...) with `svc` as the application part; returns the exit code:
// 0 success, 1 runtime failure (port taken, node unreachable), 2 usage or configuration error.
int run_service(const service& svc, int argc, char** argv);

// The version of the plugnode library, "0.2.0".
const char* plugnode_version();

// What `version` prints after the name: the service's version and plugnode's ("1.4 (plugnode 0.2.0)"), or
// plugnode's alone when the service has none.
std::string service_version(const service& svc);

// Erlang's GenServer.call({name, node}, message, timeout) from a plug: the actor registered as `name` on
// `node` (this node's own name too) answers `xs...` with a Reply. The lookup and the call each get
// `timeout` and the request's deadline cuts both short; an unknown node or name is an error, never a hang.
// On a call to another node, a message type among Reply and xs that either node lacks is an error naming it
// (runtime_errc::undeclared_type), before anything is sent; an exception in the actor comes back as
// runtime_errc::exception with its text. error_text renders any of them.
template <class Reply, class... Ts>
caf::expected<Reply> call(plugs::conn& c, const node_services& node, const std::string& name,
                          const std::string& on_node, std::chrono::milliseconds timeout, Ts&&... xs) {
  auto target = plugs::ask<caf::actor>(c, node.agent, timeout, runtime::whereis_atom_v, name, on_node);
  if (!target)
    return std::move(target.error());
  if (auto undeclared = check_message_types(c, node, *target, on_node, timeout,
                                            message_type_ids<Reply, std::decay_t<Ts>...>()))
    return undeclared;
  return plugs::ask<Reply>(c, *target, timeout, std::forward<Ts>(xs)...);
}

using runtime::error_text; // "unknown_node: greeter@10.0.0.7", "exception: ...": any error, for people

namespace detail {
template <class F, class Self, class... Args>
auto with_readable_exceptions(F fun, caf::detail::type_list<Self, Args...>) {
  return [fun](Self self, Args... xs) {
    self->set_exception_handler(runtime::exception_reason);
    return fun(self, std::forward<Args>(xs)...);
  };
}
} // namespace detail

// sys.spawn(fun, xs...) for a function-based actor (`caf::behavior f(caf::event_based_actor* self, ...)`,
// stateful ones too) with runtime::exception_reason as its exception handler: an exception ends the actor
// (the supervisor restarts it), its caller gets the exception's text and the log one line about it.
template <class F, class... Ts> caf::actor spawn_actor(caf::actor_system& sys, F fun, Ts&&... xs) {
  using args = typename caf::detail::get_callable_trait<F>::arg_types;
  return sys.spawn(detail::with_readable_exceptions(std::move(fun), args{}), std::forward<Ts>(xs)...);
}

// What the entity `key` of `type` answers to `xs...`, wherever in the cluster it lives
// (runtime/entities.hpp); started on first use. Within `timeout` and the request's deadline.
template <class Reply, class... Ts>
caf::expected<Reply> entity_call(plugs::conn& c, const node_services& node, const std::string& type,
                                 const std::string& key, std::chrono::milliseconds timeout, Ts&&... xs) {
  return plugs::ask<Reply>(c, node.entities, timeout, runtime::ent_call_atom_v, type, key, std::int32_t{0},
                           caf::make_message(std::forward<Ts>(xs)...));
}

// Phoenix.PubSub.subscribe for an actor of the service (event-based): `self` gets every message broadcast on
// `topic` from any node (runtime/pubsub.hpp), as it was broadcast, until it ends.
template <class Self> void subscribe(Self* self, const node_services& node, const std::string& topic) {
  self->request(node.pubsub, std::chrono::seconds(2), runtime::ps_sub_atom_v, topic,
                caf::actor_cast<caf::actor>(self))
      .then([](bool) {}, [](caf::error&) {});
}

// Phoenix.PubSub.broadcast from a plug: every subscriber of `topic` on every node gets `xs...`; one message
// per node that has subscribers, and the request waits while the link to such a node is full (the
// distribution budget) rather than queueing without bound.
template <class... Ts>
void broadcast(plugs::conn& c, const node_services& node, const std::string& topic, Ts&&... xs) {
  if (c.self != nullptr) {
    runtime::broadcast(c.self, *node.runtime_node, topic, std::forward<Ts>(xs)...);
    return;
  }
  caf::scoped_actor self{*c.system};
  runtime::broadcast(self.ptr(), *node.runtime_node, topic, std::forward<Ts>(xs)...);
}

// This node and its visible peers, sorted: the same list on every node once the cluster has converged, so
// a hash over it picks the same owner wherever a request lands.
caf::expected<std::vector<std::string>> members(plugs::conn& c, const node_services& node,
                                                std::chrono::milliseconds timeout = ask_timeout);

} // namespace plugnode::app
