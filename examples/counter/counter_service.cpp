// counter's service: `POST /count/:key` adds the body's integer (1 when empty) to the key's counter,
// `GET /count/:key` reads it; whichever node gets the request asks the key's owner (counter.hpp) by a remote
// call. The shell command `counters` lists what the node it runs on owns.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <chrono>
#include <string>

#include "counter.hpp"
#include "counter_service.hpp"

using namespace std::chrono_literals;
using plugnode::app::node_services;
using plugnode::plugs::conn;

namespace {

// A remote call waits at most this long for the owner (the request's own deadline is the other bound).
constexpr auto owner_timeout = 2s;

// Asks the owner of the request's key with `xs...` and answers "key value owner".
template <class... Ts> void ask_owner(conn& c, const node_services& node, Ts... xs) {
  const auto& key = c.path_params.at("key");
  auto members = plugnode::app::members(c, node);
  if (!members) {
    c.send_resp(503, "the node agent did not answer\n");
    return;
  }
  const auto& owner = counter::owner_of(key, *members);
  auto value = plugnode::app::call<std::int64_t>(c, node, counter::actor_name, owner, owner_timeout, xs...);
  if (!value) {
    c.send_resp(503,
                "the owner " + owner + " did not answer: " + plugnode::app::error_text(value.error()) + "\n");
    return;
  }
  c.put_resp_content_type("text/plain; charset=utf-8")
      .send_resp(200, key + " " + std::to_string(*value) + " " + owner + "\n");
}

// The POST body as a delta: empty is 1; anything but an integer is refused.
bool parse_delta(const std::string& body, std::int64_t& delta) {
  if (body.empty()) {
    delta = 1;
    return true;
  }
  try {
    std::size_t used = 0;
    delta = std::stoll(body, &used);
    return used == body.size();
  } catch (const std::exception&) {
    return false;
  }
}

void add_routes(plugnode::plugs::router& router, const node_services& node) {
  // The application's metrics go into the node's registry, so /metrics shows them beside plugnode's.
  auto& adds = prometheus::BuildCounter()
                   .Name("counter_adds_total")
                   .Help("POST /count/:key requests this node forwarded to an owner")
                   .Register(node.metrics.registry())
                   .Add({});
  router.post("/count/:key", [node, &adds](conn& c) {
    std::int64_t delta = 0;
    if (!parse_delta(c.body, delta)) {
      c.send_resp(400, "the body must be an integer (or empty for 1)\n");
      return;
    }
    adds.Increment();
    ask_owner(c, node, counter::add_atom_v, c.path_params.at("key"), delta);
  });
  router.get("/count/:key",
             [node](conn& c) { ask_owner(c, node, counter::read_atom_v, c.path_params.at("key")); });
}

plugnode::app::shell_reply list_counters(const node_services& node, caf::scoped_actor& self,
                                         const std::vector<std::string>&) {
  auto lines = plugnode::runtime::call<std::vector<std::string>>(
      self, node.agent, counter::actor_name, node.node, owner_timeout, counter::list_atom_v);
  if (!lines)
    return {false, "the counter actor did not answer\n"};
  std::string text;
  for (const auto& line : *lines)
    text += line + "\n";
  return {true, text.empty() ? "no counters on " + node.node + "\n" : text};
}

} // namespace

plugnode::app::service counter_service() {
  plugnode::app::service svc;
  svc.name = "counter";
  svc.version = COUNTER_VERSION;
  svc.summary = "cluster-wide counters, each owned by one node";
  svc.routes = add_routes;
  svc.actors.push_back({counter::actor_name, [](caf::actor_system& sys, const node_services&) {
                          return counter::spawn_counter(sys);
                        }});
  svc.commands.push_back(
      {"counters", "counters", "the counters this node owns, one \"key value\" a line", list_counters});
  return svc;
}
