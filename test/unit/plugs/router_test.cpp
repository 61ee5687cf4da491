#include "plugnode/plugs/router.hpp"

#include <catch2/catch.hpp>

#include "plugnode/plugs/error_handler.hpp"
#include "plugnode/plugs/head.hpp"
#include "plugnode/plugs/logger.hpp"
#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/request_id.hpp"
#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;

namespace {

plug answer(std::string text) {
  return [text](conn& c) { c.send_resp(200, text); };
}

router app_router() {
  router r;
  r.get("/", answer("root"))
      .get("/hello/:name", [](conn& c) { c.send_resp(200, "Hello, " + c.path_params.at("name") + "!"); })
      .post("/hello/:name", answer("posted"))
      .del("/hello/:name", answer("deleted"))
      .get("/static/*path", [](conn& c) { c.send_resp(200, "file " + c.path_params.at("path")); })
      .put("/items/:id", answer("put"))
      .patch("/items/:id", answer("patched"))
      .options("/items/:id", answer("options"))
      .head("/ping", answer("head"));
  return r;
}

} // namespace

TEST_CASE("router dispatches on method and literal path", "[router]") {
  auto r = app_router();
  CHECK(call(r, test_conn("GET", "/")).resp_body == "root");
  CHECK(call(r, test_conn("POST", "/hello/x")).resp_body == "posted");
  CHECK(call(r, test_conn("DELETE", "/hello/x")).resp_body == "deleted");
  CHECK(call(r, test_conn("PUT", "/items/1")).resp_body == "put");
  CHECK(call(r, test_conn("PATCH", "/items/1")).resp_body == "patched");
  CHECK(call(r, test_conn("OPTIONS", "/items/1")).resp_body == "options");
  CHECK(call(r, test_conn("HEAD", "/ping")).resp_body == "head");
}

TEST_CASE("router puts :param and *glob segments, decoded, in path_params", "[router]") {
  auto r = app_router();
  auto c = call(r, test_conn("GET", "/hello/J%C3%BCrgen"));
  CHECK(c.resp_body == "Hello, J\xC3\xBCrgen!");
  CHECK(route_of(c) == "/hello/:name");
  CHECK(call(r, test_conn("GET", "/static/css/site.css")).resp_body == "file css/site.css");
  CHECK(call(r, test_conn("GET", "/static")).resp_body == "file ");
}

TEST_CASE("router answers 404 when no route has the path", "[router]") {
  auto c = call(app_router(), test_conn("GET", "/nope/nope"));
  CHECK(c.status == 404);
  CHECK(c.state == conn::resp_state::sent);
  CHECK(route_of(c) == "unmatched");
  CHECK(call(app_router(), test_conn("GET", "/hello")).status == 404);
  CHECK(call(app_router(), test_conn("GET", "/hello/a/b")).status == 404);
}

TEST_CASE("router answers 405 with Allow when the path exists under other methods", "[router]") {
  auto c = call(app_router(), test_conn("PUT", "/hello/x"));
  CHECK(c.status == 405);
  CHECK(c.get_resp_header("allow") == "GET, POST, DELETE, HEAD");
  auto items = call(app_router(), test_conn("GET", "/items/1"));
  CHECK(items.status == 405);
  CHECK(items.get_resp_header("allow") == "PUT, PATCH, OPTIONS");
}

TEST_CASE("forward hands a prefix to another plug with the prefix stripped", "[router]") {
  router api;
  api.get("/users/:id", [](conn& c) {
    c.send_resp(200, "user " + c.path_params.at("id") + " under /" + c.script_name.at(0));
  });
  router r;
  r.forward("/api", api).get("/", answer("root"));
  auto c = call(r, test_conn("GET", "/api/users/7"));
  CHECK(c.resp_body == "user 7 under /api");
  CHECK(c.path_info == std::vector<std::string>{"users", "7"});
  CHECK(route_of(c) == "/api/users/:id");
  CHECK(call(r, test_conn("GET", "/api/nothing")).status == 404);
  CHECK(call(r, test_conn("GET", "/")).resp_body == "root");
  CHECK(call(r, test_conn("GET", "/apix")).status == 404);
}

TEST_CASE("router refuses patterns it could never match", "[router]") {
  router r;
  CHECK_THROWS_AS(r.get("/a/*rest/b", answer("")), std::invalid_argument);
  CHECK_THROWS_AS(r.get("/a/:", answer("")), std::invalid_argument);
  CHECK_THROWS_AS(r.get("relative", answer("")), std::invalid_argument);
  CHECK_THROWS_AS(r.forward("/api/:v", answer("")), std::invalid_argument);
}

TEST_CASE("owns: the paths of its routes and forwards under any method, nothing else", "[router]") {
  auto r = app_router();
  r.forward("/api", answer("api"));
  CHECK(r.owns(test_conn("GET", "/hello/ada")));
  CHECK(r.owns(test_conn("PUT", "/hello/ada"))); // its 405 belongs here too
  CHECK(r.owns(test_conn("GET", "/api/anything/below")));
  CHECK_FALSE(r.owns(test_conn("GET", "/hello")));
  CHECK_FALSE(r.owns(test_conn("GET", "/elsewhere")));
}

namespace {
// Whether a request for `method` `target` may meet a blocking plug.
bool blocks(const plug& p, const std::string& method, const std::string& target) {
  auto c = make_conn(method, target);
  return p.blocks({c.method, c.path_info});
}
} // namespace

TEST_CASE("where a request runs: the router answers for the route it would take, a miss never blocks, and "
          "a HEAD counts the GET route it becomes",
          "[router][blocks]") {
  router inner;
  inner.get("/fast", non_blocking(answer("fast"))).get("/slow", answer("slow"));
  router r;
  r.get("/", non_blocking(answer("root")))
      .get("/ask/:who", answer("asks an actor"))
      .post("/ask/:who", non_blocking(answer("posted")))
      .forward("/api", inner);
  plug app = pipeline{request_id{}, logger{}, head{}, r};

  CHECK_FALSE(blocks(app, "GET", "/"));
  CHECK(blocks(app, "GET", "/ask/me"));          // an unmarked plug is taken to block
  CHECK_FALSE(blocks(app, "POST", "/ask/me"));   // per route: the same path, another method
  CHECK(blocks(app, "HEAD", "/ask/me"));         // head turns it into the GET, which blocks
  CHECK_FALSE(blocks(app, "GET", "/nowhere"));   // 404 from the router itself
  CHECK_FALSE(blocks(app, "DELETE", "/ask/me")); // 405 from the router itself
  CHECK_FALSE(blocks(app, "GET", "/api/fast"));  // below a forward's prefix
  CHECK(blocks(app, "GET", "/api/slow"));
  CHECK_FALSE(blocks(app, "GET", "/api/none"));

  plug unmarked = pipeline{request_id{}, [](conn&) {}, r};
  CHECK(blocks(unmarked, "GET", "/")); // one plug on the way that says nothing is enough
  CHECK_FALSE(blocks(error_handler(non_blocking(unmarked)), "GET", "/ask/me")); // marked as a whole
}
