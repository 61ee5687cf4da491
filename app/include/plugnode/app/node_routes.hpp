// node_routes: the HTTP side of a node: the operator routes (/status, /metrics, /healthz, /readyz,
// /cluster), the application's plugs and routes (service.hpp), and the pipeline around them (request id,
// logger, metrics, HEAD, error handling), built from the live parts of the node they report on.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include <caf/actor.hpp>
#include <caf/expected.hpp>

#include "plugnode/app/cluster_state_metrics.hpp"
#include "plugnode/app/dist_metrics.hpp"
#include "plugnode/app/process_metrics.hpp"
#include "plugnode/app/service_setting.hpp"
#include "plugnode/plugs/metrics.hpp"
#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/router.hpp"

namespace plugnode::runtime {
class node;
}

namespace plugnode::app {

struct service;

struct node_services {
  std::string node; // this node's name
  std::uint64_t incarnation = 0;
  caf::actor agent; // the node agent (agent_protocol.hpp); the checker and discovery are registered with it
  caf::actor entities; // the node's entity region (runtime/entities.hpp): entity_call in service.hpp
  caf::actor groups;   // the node's process-group scope "pg" (runtime/groups.hpp)
  caf::actor pubsub;   // the node's pub/sub server (runtime/pubsub.hpp): subscribe in service.hpp
  // The running node, for the runtime's calls that take one (runtime::broadcast, runtime::send, broadcast
  // in service.hpp); null until the node is wired.
  const runtime::node* runtime_node = nullptr;
  plugs::metrics metrics;                       // its registry holds every metric of the node
  std::shared_ptr<process_metrics> process;     // refreshed at each scrape
  std::shared_ptr<dist_metrics> dist;           // the same; none on a node without distribution
  std::shared_ptr<cluster_state_metrics> state; // pub/sub and entities; the same
  std::shared_ptr<std::atomic<bool>> listening = std::make_shared<std::atomic<bool>>(false); // set once bound
  // The service's declared message types by name (message_types.hpp) and its own settings' values
  // (service_setting.hpp); never null on a wired node.
  std::shared_ptr<const std::set<std::string>> message_types =
      std::make_shared<const std::set<std::string>>();
  std::shared_ptr<const service_settings> settings = std::make_shared<const service_settings>();
};

// Brings the figures read at a scrape up to date (process, distribution, cluster state): what /metrics and
// the dashboard do before reading the registry.
void refresh_metrics(const node_services& services);

// Where the dashboard's own paths live on the admin listener (its page is at `/` there too); the public
// port answers 404 under it.
inline constexpr std::string_view dashboard_prefix = "/dashboard";

// How long a route waits for an actor of the node (GenServer.call's timeout); /status answers within it.
inline constexpr std::chrono::milliseconds ask_timeout{50};

// The operator routes of the public port: /metrics, /healthz and /readyz (where probes and scrapers reach
// them), and with `cluster_routes` /cluster and /status too (they name nodes and addresses:
// PLUGNODE_OPERATOR_ROUTES=admin serves them on the admin listener only).
plugs::router operator_router(const node_services& services, bool cluster_routes = true);

// /cluster and /status added to `router`.
void add_cluster_routes(plugs::router& router, const node_services& services);

// The application's routes: its scopes (each a forward to the scope's plugs and routes), then its routes.
plugs::router application_router(const node_services& services, const service& app);

// The whole request path: request_id, logger, metrics, head, then either the operator routes (for their
// paths, without the application's plugs) or the application's plugs and router (the endpoint wraps it in
// the error handler).
plugs::plug node_pipeline(const node_services& services, const service& app, bool cluster_routes = true);

} // namespace plugnode::app
