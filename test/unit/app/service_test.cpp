// service: an application part (plugs, routes, a supervised actor, a shell command) on a real single node,
// through the plug test harness and the node's own shell service.
#include "plugnode/app/service.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/send.hpp>
#include <catch2/catch.hpp>
#include <prometheus/registry.h>

#include "plugnode/app/node_wiring.hpp"
#include "plugnode/app/registered_names.hpp"
#include "plugnode/app/shell_service.hpp"
#include "plugnode/plugs/testing.hpp"
#include "plugnode/runtime/remote_call.hpp"
#include "plugnode/test/process.hpp"

using namespace plugnode;
using namespace std::chrono_literals;

namespace {

// Answers n with n + increment: the smallest actor a route and a shell command can call. (An argument, since
// CAF 0.17 dereferences a null argument tuple for a function-based actor spawned without any: UBSan stops.)
caf::behavior adder(caf::event_based_actor*, std::int32_t increment) {
  return {[increment](std::int32_t n) { return n + increment; }};
}

app::service test_service() {
  app::service svc;
  svc.name = "unit";
  svc.version = "9.9";
  svc.plugs.push_back([](plugs::conn& c) { c.put_resp_header("x-app", "seen"); });
  svc.routes = [](plugs::router& router, const app::node_services& node) {
    router.get("/add/:n", [node](plugs::conn& c) {
      auto sum = app::call<std::int32_t>(c, node, "adder", node.node, 1s, std::stoi(c.path_params.at("n")));
      c.send_resp(sum ? 200 : 503, sum ? std::to_string(*sum) : "no adder");
    });
    router.get("/members", [node](plugs::conn& c) {
      auto list = app::members(c, node);
      c.send_resp(list ? 200 : 503, list ? list->front() + " of " + std::to_string(list->size()) : "");
    });
    router.get("/missing", [node](plugs::conn& c) {
      auto none = app::call<std::int32_t>(c, node, "nobody", node.node, 1s, 1);
      c.send_resp(none ? 200 : 404, "");
    });
  };
  svc.actors.push_back(
      {"adder", [](caf::actor_system& sys, const app::node_services&) { return sys.spawn(adder, 1); }});
  svc.commands.push_back(
      {"plus", "plus N", "N + 1, asked of the adder",
       [](const app::node_services& node, caf::scoped_actor& self, const std::vector<std::string>& args) {
         if (args.size() != 1)
           return app::shell_reply{false, "usage: plus N\n"};
         auto sum = runtime::call<std::int32_t>(self, node.agent, "adder", node.node, 1s, std::stoi(args[0]));
         return app::shell_reply{bool(sum), sum ? std::to_string(*sum) + "\n" : "no adder\n"};
       }});
  return svc;
}

struct test_node {
  test_node() : node(app::node_options_of(cfg)) {
    REQUIRE_FALSE(node.start());
    wiring = app::wire_node(
        node, cfg, registry, [] {}, svc);
    pipeline = app::node_pipeline(wiring.services, svc);
  }
  ~test_node() { caf::anon_send_exit(wiring.supervisor, caf::exit_reason::user_shutdown); }

  plugs::conn get(const std::string& target) {
    auto c = plugs::test_conn("GET", target);
    c.system = &node.system();
    return plugs::call(pipeline, std::move(c));
  }

  // One line through the node's shell service, as `rpc` sends it.
  std::pair<bool, std::string> shell(const std::string& line) {
    caf::scoped_actor self{node.system()};
    auto shell = runtime::whereis(self, node.agent(), app::shell_name, "unit@127.0.0.1", 1s);
    std::pair<bool, std::string> answer{false, "no answer"};
    if (!shell)
      return answer;
    self->request(*shell, 5s, app::shell_atom_v, line)
        .receive(
            [&](bool ok, const std::string& text) {
              answer = {ok, text};
            },
            [](caf::error&) {});
    return answer;
  }

  app::config cfg = app::load_config({{"PLUGNODE_NODE", "unit@127.0.0.1"}},
                                     [](const char*) -> std::optional<std::string> { return std::nullopt; });
  app::service svc = test_service();
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  runtime::node node;
  app::node_wiring wiring;
  plugs::plug pipeline = [](plugs::conn&) {};
};

} // namespace

TEST_CASE("a route calls the service's supervised actor by its registered name", "[service]") {
  test_node n;
  // The supervisor registers its children just after the node starts.
  REQUIRE(test::eventually([&] { return n.get("/add/41").status == 200; }, 5s));
  CHECK(n.get("/add/41").resp_body == "42");
  CHECK(n.get("/missing").status == 404);
}

TEST_CASE("the service's plugs run before every route, the operator routes too", "[service]") {
  test_node n;
  CHECK(n.get("/healthz").get_resp_header("x-app") == "seen");
  auto unknown = n.get("/no/such/route");
  CHECK(unknown.status == 404);
  CHECK(unknown.get_resp_header("x-app") == "seen");
}

TEST_CASE("members: this node alone when it has no peers", "[service]") {
  test_node n;
  auto c = n.get("/members");
  CHECK(c.status == 200);
  CHECK(c.resp_body == "unit@127.0.0.1 of 1");
}

TEST_CASE("the service's shell command answers, help lists it, the node's own commands still win",
          "[service]") {
  test_node n;
  REQUIRE(test::eventually([&] { return n.shell("plus 1").second == "2\n"; }, 5s));
  CHECK(n.shell("plus 1 2") == std::pair<bool, std::string>{false, "usage: plus N\n"});
  CHECK_THAT(n.shell("help").second, Catch::Contains("plus N") && Catch::Contains("asked of the adder"));
  CHECK(n.shell("self") == std::pair<bool, std::string>{true, "unit@127.0.0.1\n"});
  auto unknown = n.shell("minus 1");
  CHECK_FALSE(unknown.first);
  CHECK_THAT(unknown.second, Catch::StartsWith("unknown command: minus 1") && Catch::Contains("plus N"));
}

TEST_CASE("service_version: the service's and plugnode's, or plugnode's alone", "[service]") {
  app::service svc;
  CHECK(app::service_version(svc) == app::plugnode_version());
  svc.version = "1.4";
  CHECK(app::service_version(svc) == std::string("1.4 (plugnode ") + app::plugnode_version() + ")");
}
