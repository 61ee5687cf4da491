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
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "plugnode/app/node_routes.hpp"
#include "plugnode/app/shell_extension.hpp"
#include "plugnode/plugs/ask.hpp"
#include "plugnode/plugs/plug.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
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
  bool beam = false; // exported to BEAM nodes
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
template <class Reply, class... Ts>
caf::expected<Reply> call(plugs::conn& c, const node_services& node, const std::string& name,
                          const std::string& on_node, std::chrono::milliseconds timeout, Ts&&... xs) {
  auto target = plugs::ask<caf::actor>(c, node.agent, timeout, runtime::whereis_atom_v, name, on_node);
  if (!target)
    return std::move(target.error());
  return plugs::ask<Reply>(c, *target, timeout, std::forward<Ts>(xs)...);
}

// This node and its visible peers, sorted: the same list on every node once the cluster has converged, so
// a hash over it picks the same owner wherever a request lands.
caf::expected<std::vector<std::string>> members(plugs::conn& c, const node_services& node,
                                                std::chrono::milliseconds timeout = ask_timeout);

} // namespace plugnode::app
