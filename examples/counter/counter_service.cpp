// counter's service: `POST /count/:key` adds the body's integer (1 when empty) to the key's counter,
// `GET /count/:key` reads it; the counter is a sharded entity (counter.hpp), so whichever node gets the
// request, the runtime takes it to the one node where the key lives, and the value survives a graceful stop
// of that node or a new node taking the key over. The shell command `counters` lists the counters living on
// the node it runs on.
#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/registry.h>

#include <chrono>
#include <memory>
#include <string>

#include "counter.hpp"
#include "counter_service.hpp"
#include "plugnode/runtime/groups.hpp"

using namespace std::chrono_literals;
using plugnode::app::node_services;
using plugnode::plugs::conn;

namespace {

// A call waits at most this long for the counter (the request's own deadline is the other bound).
constexpr auto counter_timeout = 2s;

// Asks the request's key's counter with `xs...` and answers "key value node".
template <class... Ts> void ask_counter(conn& c, const node_services& node, Ts... xs) {
  const auto& key = c.path_params.at("key");
  auto answer = plugnode::app::entity_call<std::string>(c, node, counter::entity_type_name, key,
                                                        counter_timeout, xs...);
  if (!answer) {
    c.send_resp(503, "the counter " + key + " did not answer: " + plugnode::app::error_text(answer.error()) +
                         "\n");
    return;
  }
  c.put_resp_content_type("text/plain; charset=utf-8").send_resp(200, key + " " + *answer + "\n");
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

plugnode::app::shell_reply list_counters(const node_services& node, caf::scoped_actor& self,
                                         const std::vector<std::string>&) {
  auto members = plugnode::runtime::ask<std::vector<caf::actor>>(
      *self.ptr(), node.groups, counter_timeout, plugnode::runtime::pg_local_atom_v, counter::group);
  if (!members)
    return {false, "the group scope did not answer\n"};
  std::string text;
  for (const auto& member : *members)
    if (auto line =
            plugnode::runtime::ask<std::string>(*self.ptr(), member, counter_timeout, counter::list_atom_v))
      text += *line + "\n";
  return {true, text.empty() ? "no counters on " + node.node + "\n" : text};
}

} // namespace

plugnode::app::service counter_service() {
  auto node = std::make_shared<counter::node_info>();
  plugnode::app::service svc;
  svc.name = "counter";
  svc.version = COUNTER_VERSION;
  svc.summary = "cluster-wide counters, each a sharded entity";
  svc.entities.push_back(counter::counter_type(node));
  svc.routes = [node](plugnode::plugs::router& router, const node_services& services) {
    node->name = services.node;
    node->groups = services.groups;
    // The application's metrics go into the node's registry, so /metrics shows them beside plugnode's.
    auto& adds = prometheus::BuildCounter()
                     .Name("counter_adds_total")
                     .Help("POST /count/:key requests this node took")
                     .Register(services.metrics.registry())
                     .Add({});
    router.post("/count/:key", [services, &adds](conn& c) {
      std::int64_t delta = 0;
      if (!parse_delta(c.body, delta)) {
        c.send_resp(400, "the body must be an integer (or empty for 1)\n");
        return;
      }
      adds.Increment();
      ask_counter(c, services, counter::add_atom_v, delta);
    });
    router.get("/count/:key", [services](conn& c) { ask_counter(c, services, counter::read_atom_v); });
  };
  svc.commands.push_back(
      {"counters", "counters", "the counters living on this node, one \"key value\" a line", list_counters});
  return svc;
}
