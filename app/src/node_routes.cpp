// The operator routes and the pipeline of node_routes.hpp.
#include "plugnode/app/node_routes.hpp"

#include <caf/scoped_actor.hpp>

#include "plugnode/app/checker.hpp"
#include "plugnode/app/cluster_report.hpp"
#include "plugnode/app/registered_names.hpp"
#include "plugnode/app/service.hpp"
#include "plugnode/discovery/discovery_protocol.hpp"
#include "plugnode/plugs/ask.hpp"
#include "plugnode/plugs/head.hpp"
#include "plugnode/plugs/local_reply.hpp"
#include "plugnode/plugs/logger.hpp"
#include "plugnode/plugs/request_id.hpp"

namespace plugnode::app {
namespace {

constexpr const char* text_plain = "text/plain; charset=utf-8";
constexpr const char* json = "application/json";

bool wants_json(const plugs::conn& c) {
  auto accept = c.get_req_header("accept");
  return accept && accept->find("application/json") != std::string::npos;
}

// The answer of the actor registered as `name` (registered_names.hpp) to `xs...`, asked through the agent in
// one request: a child the supervisor restarted is found again on the next request.
template <class Reply, class... Ts>
caf::expected<Reply> ask_registered(plugs::conn& c, const node_services& services, const char* name,
                                    Ts&&... xs) {
  return plugs::ask<Reply>(c, services.agent, ask_timeout,
                           runtime::to_registered(name, std::forward<Ts>(xs)...));
}

void status(const node_services& services, plugs::conn& c) {
  auto result = ask_registered<check_result>(c, services, checker_name, caf::get_atom_v);
  if (!result) {
    c.put_resp_content_type(text_plain).send_resp(503, "unknown: the checker did not answer in time\n");
    return;
  }
  if (wants_json(c))
    c.put_resp_content_type(json).send_resp(200, to_json(*result) + "\n");
  else
    c.put_resp_content_type(text_plain)
        .send_resp(200, describe(*result, std::chrono::system_clock::now()) + "\n");
}

// Why the node should get no traffic yet, or empty when ready: the endpoint listens and discovery has had
// its first good answer (a node that cannot see its cluster yet would answer with a partial view).
std::string not_ready(const node_services& services, plugs::conn& c) {
  if (!services.listening->load())
    return "the HTTP endpoint is not listening yet";
  auto ready = ask_registered<bool>(c, services, discovery_name, discovery::ready_atom_v);
  if (!ready)
    return "discovery did not answer";
  if (!*ready)
    return "discovery has had no good answer yet";
  return {};
}

} // namespace

void refresh_metrics(const node_services& services) {
  services.process->update();
  if (services.dist)
    services.dist->update();
  if (services.state)
    services.state->update();
}

void add_cluster_routes(plugs::router& router, const node_services& services) {
  router.get("/status", [services](plugs::conn& c) { status(services, c); });
  router.get("/cluster", [services](plugs::conn& c) {
    auto report = [&](caf::blocking_actor& self) {
      return fetch_cluster_report(self, services.node, services.incarnation, services.agent, ask_timeout);
    };
    std::string body;
    if (c.self != nullptr) {
      body = report(*c.self);
    } else {
      caf::scoped_actor self{*c.system};
      body = report(*self.ptr());
    }
    c.put_resp_content_type(json).send_resp(200, body + "\n");
  });
}

plugs::router operator_router(const node_services& services, bool cluster_routes) {
  plugs::router router;
  // The admin listener's paths are owned here and answered 404, so that no application route (a
  // catch-all /:name) answers for them on the public port.
  auto admin_only =
      plugs::non_blocking([](plugs::conn& c) { plugs::local_reply(c, 404, "served on the admin listener"); });
  if (cluster_routes) {
    add_cluster_routes(router, services);
  } else {
    router.forward("/cluster", admin_only);
    router.forward("/status", admin_only);
  }
  router.forward(std::string(dashboard_prefix), admin_only);
  router.get("/metrics", [services](plugs::conn& c) {
    refresh_metrics(services);
    c.put_resp_content_type(plugs::metrics::content_type).send_resp(200, services.metrics.render());
  });
  router.get("/healthz", plugs::non_blocking([](plugs::conn& c) {
               c.put_resp_content_type(text_plain).send_resp(200, "ok\n");
             }));
  router.get("/readyz", [services](plugs::conn& c) {
    auto why = not_ready(services, c);
    if (why.empty())
      c.put_resp_content_type(text_plain).send_resp(200, "ready\n");
    else
      c.put_resp_content_type(text_plain).send_resp(503, "not ready: " + why + "\n");
  });
  return router;
}

plugs::router application_router(const node_services& services, const service& app) {
  plugs::router router;
  for (const auto& scope : app.scopes) {
    plugs::router inner;
    if (scope.routes)
      scope.routes(inner, services);
    plugs::pipeline path;
    for (const auto& p : scope.plugs)
      path.add(p);
    path.add(std::move(inner));
    router.forward(scope.prefix, std::move(path));
  }
  if (app.routes)
    app.routes(router, services);
  return router;
}

namespace {
// The operator routes own their paths: probes and scrapes never meet an application plug (an API key,
// a JSON error format), whatever the application adds.
struct operators_first {
  plugs::router operators;
  plugs::pipeline application;
  void call(plugs::conn& c) const {
    if (operators.owns(c))
      operators.call(c);
    else
      application.call(c);
  }
  bool blocks(const plugs::request_path& r) const {
    return operators.owns(r) ? operators.blocks(r) : application.blocks(r);
  }
};
} // namespace

plugs::plug node_pipeline(const node_services& services, const service& app, bool cluster_routes) {
  plugs::pipeline application;
  for (const auto& p : app.plugs)
    application.add(p);
  application.add(application_router(services, app));
  return plugs::pipeline{plugs::request_id{}, plugs::logger{}, services.metrics, plugs::head{},
                         operators_first{operator_router(services, cluster_routes), std::move(application)}};
}

} // namespace plugnode::app
