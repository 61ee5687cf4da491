// node_routes: the operator routes of a real (single, unpublished) node, through the plug test harness.
#include "plugnode/app/node_routes.hpp"

#include <caf/send.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <prometheus/registry.h>

#include "plugnode/app/hello_routes.hpp"
#include "plugnode/app/node_wiring.hpp"
#include "plugnode/plugs/testing.hpp"
#include "plugnode/test/process.hpp"

using namespace plugnode;
using namespace std::chrono_literals;

namespace {

app::config test_config(app::config_flags flags = {}) {
  flags.emplace("PLUGNODE_NODE", "unit@127.0.0.1");
  return app::load_config(flags, [](const char*) -> std::optional<std::string> { return std::nullopt; });
}

// A started node with its actors, and the pipeline a real endpoint would serve.
struct test_node {
  explicit test_node(const app::config& cfg) : node(app::node_options_of(cfg)) {
    REQUIRE_FALSE(node.start());
    wiring = app::wire_node(
        node, cfg, registry, [] {}, app::hello_service());
    pipeline = app::node_pipeline(wiring.services, app::hello_service());
  }
  ~test_node() { caf::anon_send_exit(wiring.supervisor, caf::exit_reason::user_shutdown); }

  plugs::conn get(const std::string& target, plugs::headers headers = {}) {
    auto c = plugs::test_conn("GET", target, "", headers);
    c.system = &node.system();
    return plugs::call(pipeline, std::move(c));
  }

  std::shared_ptr<prometheus::Registry> registry =
      std::make_shared<prometheus::Registry>(); // outlives the node
  runtime::node node;
  app::node_wiring wiring;
  plugs::plug pipeline = [](plugs::conn&) {};
};

} // namespace

TEST_CASE("/ lists every route", "[node_routes]") {
  test_node n(test_config());
  auto c = n.get("/");
  CHECK(c.status == 200);
  for (auto route : {"/<name>", "/crash", "/status", "/metrics", "/healthz", "/readyz", "/cluster"}) {
    INFO(route);
    CHECK_THAT(c.resp_body, Catch::Contains(route));
  }
  CHECK(c.get_resp_header("x-request-id"));
}

TEST_CASE("/healthz is alive, /readyz waits for the endpoint to listen", "[node_routes]") {
  test_node n(test_config());
  CHECK(n.get("/healthz").status == 200);
  auto early = n.get("/readyz");
  CHECK(early.status == 503);
  CHECK(early.resp_body == "not ready: the HTTP endpoint is not listening yet\n");
  n.wiring.services.listening->store(true);
  // Discovery `none` has its first (empty) good answer right away.
  CHECK(test::eventually([&] { return n.get("/readyz").status == 200; }, 5s));
}

TEST_CASE("/status: unknown before the first check, as text and JSON", "[node_routes]") {
  test_node n(test_config({{"CHECK_HOST", "127.0.0.1:9"}, {"CHECK_INIT_DELAY", "1h"}}));
  // The supervisor registers the checker with the agent just after the node starts.
  REQUIRE(test::eventually([&] { return n.get("/status").status == 200; }, 5s));
  auto text = n.get("/status");
  CHECK(text.resp_body == "unknown: no check yet of http://127.0.0.1:9/\n");
  auto json = n.get("/status", {{"Accept", "application/json"}});
  CHECK(json.get_resp_header("content-type") == "application/json");
  auto doc = nlohmann::json::parse(json.resp_body);
  CHECK(doc["state"] == "unknown");
  CHECK(doc["target"] == "http://127.0.0.1:9/");
}

TEST_CASE("/status reports a refused target as down", "[node_routes]") {
  test_node n(
      test_config({{"CHECK_HOST", "127.0.0.1:9"}, {"CHECK_INIT_DELAY", "10ms"}, {"CHECK_TIMEOUT", "500ms"}}));
  CHECK(test::eventually(
      [&] { return n.get("/status").resp_body.rfind("down: http://127.0.0.1:9/", 0) == 0; }, 5s));
}

TEST_CASE("/metrics: HTTP, checker, discovery and process metrics in the text format", "[node_routes]") {
  test_node n(test_config({{"CHECK_HOST", "127.0.0.1:9"}, {"CHECK_INIT_DELAY", "10ms"}}));
  n.get("/Ada");
  test::eventually([&] { return n.get("/metrics").resp_body.find("http_check_total{") != std::string::npos; },
                   5s);
  auto c = n.get("/metrics");
  CHECK(c.status == 200);
  CHECK_THAT(*c.get_resp_header("content-type"), Catch::StartsWith("text/plain; version=0.0.4"));
  for (auto name : {"plugnode_http_requests_total", "http_check_total", "http_check_duration_seconds_bucket",
                    "process_resident_memory_bytes", "process_cpu_seconds_total", "process_open_fds",
                    "process_start_time_seconds", "process_threads"}) {
    INFO(name);
    CHECK_THAT(c.resp_body, Catch::Contains(name));
  }
}

TEST_CASE("/cluster: this node, no peers, and discovery's answer", "[node_routes]") {
  test_node n(test_config());
  nlohmann::json doc;
  plugs::conn c;
  CHECK(test::eventually(
      [&] {
        c = n.get("/cluster");
        doc = nlohmann::json::parse(c.resp_body);
        return doc["discovery"].contains("strategy");
      },
      5s));
  CHECK(c.status == 200);
  INFO(c.resp_body);
  CHECK(doc["node"] == "unit@127.0.0.1");
  CHECK(doc["peers"].empty());
  CHECK(doc["discovery"]["strategy"] == "none");
}
