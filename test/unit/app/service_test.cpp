// service: an application part (plugs, scopes, routes, supervised actors, a shell command, settings) on a
// real single node, through the service test kit (testing.hpp), the plug test harness and the node's own
// shell service.
#include "plugnode/app/service.hpp"

#include <iostream>
#include <sstream>
#include <stdexcept>

#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "plugnode/app/registered_names.hpp"
#include "plugnode/app/shell_service.hpp"
#include "plugnode/app/testing.hpp"
#include "plugnode/plugs/json.hpp"
#include "plugnode/plugs/parsers.hpp"
#include "plugnode/runtime/remote_call.hpp"
#include "plugnode/test/process.hpp"

using namespace plugnode;
using namespace std::chrono_literals;

namespace {

// Answers n with n + increment: the smallest actor a route and a shell command can call. (An argument, since
// CAF 0.17 dereferences a null argument tuple for a function-based actor spawned without any: UBSan stops.)
caf::behavior adder(caf::event_based_actor*, std::int32_t increment) {
  return {[increment](std::int32_t n) {
    if (n < 0)
      throw std::invalid_argument("cannot add to a negative number: " + std::to_string(n));
    return n + increment;
  }};
}

// An API key plug: the kind of plug that must never meet a probe.
void require_api_key(plugs::conn& c) {
  if (c.get_req_header("x-api-key") != "secret")
    plugs::send_json(c, 401, {{"error", "Unauthorized"}});
}

app::service test_service() {
  app::service svc;
  svc.name = "unit";
  svc.version = "9.9";
  svc.plugs.push_back([](plugs::conn& c) { c.put_resp_header("x-app", "seen"); });
  svc.settings.push_back({"UNIT_STEP", "--step", "added by /step", "5", app::setting_kind::count});
  svc.settings.push_back({"UNIT_GRACE", "--grace", "a duration", "", app::setting_kind::duration});
  svc.routes = [](plugs::router& router, const app::node_services& node) {
    router.get("/add/:n", [node](plugs::conn& c) {
      auto sum = app::call<std::int32_t>(c, node, "adder", node.node, 1s, std::stoi(c.path_params.at("n")));
      c.send_resp(sum ? 200 : 503, sum ? std::to_string(*sum) : app::error_text(sum.error()));
    });
    router.get("/members", [node](plugs::conn& c) {
      auto list = app::members(c, node);
      c.send_resp(list ? 200 : 503, list ? list->front() + " of " + std::to_string(list->size()) : "");
    });
    router.get("/missing", [node](plugs::conn& c) {
      auto none = app::call<std::int32_t>(c, node, "nobody", node.node, 1s, 1);
      c.send_resp(none ? 200 : 404, none ? "" : app::error_text(none.error()));
    });
    router.get("/step", [node](plugs::conn& c) {
      c.send_resp(200, std::to_string(node.settings->count("UNIT_STEP")) + " " +
                           (node.settings->has("UNIT_GRACE") ? "grace" : "no grace"));
    });
  };
  svc.scopes.push_back(
      {"/api",
       {plugs::json_errors{}, require_api_key, plugs::parsers{}},
       [](plugs::router& router, const app::node_services&) {
         router.get("/who", [](plugs::conn& c) { plugs::send_json(c, 200, {{"who", "api"}}); });
       }});
  svc.actors.push_back({"adder", [](caf::actor_system& sys, const app::node_services&) {
                          return app::spawn_actor(sys, adder, 1);
                        }});
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

app::test_node_options unit_node(app::config_flags settings = {}) {
  app::test_node_options options;
  options.name = "unit@127.0.0.1";
  options.settings = std::move(settings);
  return options;
}

// One line through the node's shell service, as `rpc` sends it.
std::pair<bool, std::string> shell(app::test_node& n, const std::string& line) {
  caf::scoped_actor self{n.node().system()};
  auto shell = runtime::whereis(self, n.node().agent(), app::shell_name, n.name(), 1s);
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

// run_service as a command line runs it: the exit code, and what it printed on stdout and stderr.
struct command_result {
  int exit_code;
  std::string out;
  std::string err;
};
command_result run(const app::service& svc, std::vector<std::string> args) {
  args.insert(args.begin(), svc.name);
  std::vector<char*> argv;
  for (auto& a : args)
    argv.push_back(a.data());
  std::ostringstream out, err;
  auto* old_out = std::cout.rdbuf(out.rdbuf());
  auto* old_err = std::cerr.rdbuf(err.rdbuf());
  int code = app::run_service(svc, static_cast<int>(argv.size()), argv.data());
  std::cout.rdbuf(old_out);
  std::cerr.rdbuf(old_err);
  return {code, out.str(), err.str()};
}

} // namespace

TEST_CASE("a route calls the service's supervised actor by its registered name", "[service]") {
  app::test_node n(test_service(), unit_node());
  REQUIRE(n.wait_for("adder"));
  CHECK(n.get("/add/41").resp_body == "42");
  CHECK(n.call<std::int32_t>("adder", std::int32_t{1}) == 2);
  auto missing = n.get("/missing");
  CHECK(missing.status == 404);
  CHECK(missing.resp_body == "unknown_name: nobody on unit@127.0.0.1");
}

TEST_CASE("an exception in an actor reaches the caller with its text, and the actor is restarted",
          "[service]") {
  app::test_node n(test_service(), unit_node());
  REQUIRE(n.wait_for("adder"));
  auto thrown = n.get("/add/-3");
  CHECK(thrown.status == 503);
  CHECK(thrown.resp_body == "exception: cannot add to a negative number: -3");
  CHECK(test::eventually([&] { return n.get("/add/1").resp_body == "2"; }, 5s));
}

TEST_CASE("an actor's own restart limit: one crash past it stops the node, which says why", "[service]") {
  auto svc = test_service();
  svc.actors.front().max_restarts = 1;
  app::test_node n(svc, unit_node());
  REQUIRE(n.wait_for("adder"));
  CHECK(n.get("/add/-1").resp_body == "exception: cannot add to a negative number: -1");
  REQUIRE(test::eventually([&] { return n.get("/add/1").resp_body == "2"; }, 5s)); // restarted once
  CHECK(n.stopped_because().empty());
  n.get("/add/-2");
  REQUIRE(test::eventually([&] { return !n.stopped_because().empty(); }, 5s));
  CHECK(
      n.stopped_because() ==
      "supervisor: child 'adder' died (exception: cannot add to a negative number: -2) more than 1 times in "
      "5000 ms; giving up, stopping the node");
}

TEST_CASE("the operator routes are outside the service's plugs and scopes", "[service]") {
  app::test_node n(test_service(), unit_node());
  for (const char* path : {"/healthz", "/readyz", "/metrics", "/cluster", "/status"}) {
    INFO(path);
    auto c = n.get(path);
    CHECK(c.status != 401);
    CHECK_FALSE(c.get_resp_header("x-app"));
  }
  CHECK(n.get("/healthz").status == 200);
  CHECK(n.get("/metrics").status == 200);
  // The service's own routes and its misses do run its plugs.
  CHECK(n.get("/step").get_resp_header("x-app") == "seen");
  auto unknown = n.get("/no/such/route");
  CHECK(unknown.status == 404);
  CHECK(unknown.get_resp_header("x-app") == "seen");
}

TEST_CASE("a scope runs its own plugs: an API key on /api, its errors as JSON", "[service]") {
  app::test_node n(test_service(), unit_node());
  auto refused = n.get("/api/who");
  CHECK(refused.status == 401);
  auto allowed = n.request("GET", "/api/who", "", {{"X-Api-Key", "secret"}});
  CHECK(allowed.status == 200);
  CHECK(nlohmann::json::parse(allowed.resp_body) == nlohmann::json{{"who", "api"}});
  auto missing = n.request("GET", "/api/nothing", "", {{"X-Api-Key", "secret"}});
  CHECK(missing.status == 404);
  CHECK(missing.get_resp_header("content-type") == "application/json");
  CHECK(nlohmann::json::parse(missing.resp_body)["error"] == "Not Found");
  auto text = n.request("POST", "/api/who", "x", {{"X-Api-Key", "secret"}, {"Content-Type", "text/plain"}});
  CHECK(text.status == 415);
  CHECK(nlohmann::json::parse(text.resp_body)["status"] == 415);
  // Outside the scope, the same miss stays text.
  CHECK(n.get("/nothing").get_resp_header("content-type") == "text/plain; charset=utf-8");
}

TEST_CASE("members: this node alone when it has no peers", "[service]") {
  app::test_node n(test_service(), unit_node());
  auto c = n.get("/members");
  CHECK(c.status == 200);
  CHECK(c.resp_body == "unit@127.0.0.1 of 1");
}

TEST_CASE("the service's settings reach its code typed, with their defaults", "[service]") {
  app::test_node defaults(test_service(), unit_node());
  CHECK(defaults.get("/step").resp_body == "5 no grace");
  app::test_node set(test_service(), unit_node({{"UNIT_STEP", "7"}, {"UNIT_GRACE", "2s"}}));
  CHECK(set.get("/step").resp_body == "7 grace");
  CHECK(set.services().settings->duration("UNIT_GRACE") == 2s);
  CHECK_THROWS_AS(set.services().settings->text("UNIT_STEP"), std::logic_error);
  CHECK_THROWS_WITH(app::test_node(test_service(), unit_node({{"UNIT_STEP", "many"}})),
                    "UNIT_STEP: 'many' is not a whole number from 0 to 999999999");
}

TEST_CASE("help and describe: the service's settings and its name, and a bad setting is one line, exit 2",
          "[service]") {
  auto svc = test_service();
  auto help = run(svc, {"help"});
  CHECK(help.exit_code == 0);
  CHECK_THAT(help.out, Catch::Contains("added by /step (default 5) [env UNIT_STEP]"));
  CHECK_THAT(help.out, Catch::Contains("--grace"));
  CHECK_THAT(help.out, Catch::Contains("(default unit@$(hostname -f))"));
  auto describe = run(svc, {"describe", "--step", "9"});
  CHECK(describe.exit_code == 0);
  CHECK_THAT(describe.out, Catch::StartsWith("name          unit@"));
  CHECK_THAT(describe.out, Catch::Contains("settings      UNIT_STEP 9\n              UNIT_GRACE unset\n"));
  auto bad = run(svc, {"describe", "--grace", "soon"});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err == "unit: --grace: 'soon' is not a duration such as 500ms, 5s, 2m or 1h\n");
}

TEST_CASE("the service's shell command answers, help lists it, the node's own commands still win",
          "[service]") {
  app::test_node n(test_service(), unit_node());
  REQUIRE(test::eventually([&] { return shell(n, "plus 1").second == "2\n"; }, 5s));
  CHECK(shell(n, "plus 1 2") == std::pair<bool, std::string>{false, "usage: plus N\n"});
  CHECK_THAT(shell(n, "help").second, Catch::Contains("plus N") && Catch::Contains("asked of the adder"));
  CHECK(shell(n, "self") == std::pair<bool, std::string>{true, "unit@127.0.0.1\n"});
  auto unknown = shell(n, "minus 1");
  CHECK_FALSE(unknown.first);
  CHECK_THAT(unknown.second, Catch::StartsWith("unknown command: minus 1") && Catch::Contains("plus N"));
}

TEST_CASE("spawn_actor: a stateful actor's exception reaches its caller too", "[service]") {
  struct tally {
    std::int32_t total = 0;
  };
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  auto counter = app::spawn_actor(
      system,
      [](caf::stateful_actor<tally>* self, std::int32_t limit) -> caf::behavior {
        return {[self, limit](std::int32_t n) {
          self->state.total += n;
          if (self->state.total > limit)
            throw std::overflow_error("the tally passed " + std::to_string(limit));
          return self->state.total;
        }};
      },
      10);
  caf::scoped_actor self{system};
  CHECK(runtime::ask<std::int32_t>(*self.ptr(), counter, 1s, 4) == 4);
  auto over = runtime::ask<std::int32_t>(*self.ptr(), counter, 1s, 7);
  REQUIRE_FALSE(over);
  CHECK(app::error_text(over.error()) == "exception: the tally passed 10");
}

TEST_CASE("service_version: the service's and plugnode's, or plugnode's alone", "[service]") {
  app::service svc;
  CHECK(app::service_version(svc) == app::plugnode_version());
  svc.version = "1.4";
  CHECK(app::service_version(svc) == std::string("1.4 (plugnode ") + app::plugnode_version() + ")");
}
