// hello_routes: the starter's routes through the plug test harness.
#include "plugnode/app/hello_routes.hpp"

#include <catch2/catch.hpp>

#include "plugnode/plugs/error_handler.hpp"
#include "plugnode/plugs/testing.hpp"

using namespace plugnode;

namespace {
plugs::plug hello() {
  plugs::router router;
  app::add_hello_routes(router, "Routes: ...\n");
  return plugs::error_handler(router);
}
} // namespace

TEST_CASE("GET / greets the world and lists the routes", "[hello_routes]") {
  auto c = plugs::call(hello(), plugs::test_conn("GET", "/"));
  CHECK(c.status == 200);
  CHECK(c.resp_body == "Hello, World!\n\nRoutes: ...\n");
}

TEST_CASE("GET /<name> greets the name in the body and the x-greeting header", "[hello_routes]") {
  auto c = plugs::call(hello(), plugs::test_conn("GET", "/Ada"));
  CHECK(c.status == 200);
  CHECK(c.resp_body == "Hello, Ada!\n");
  CHECK(c.get_resp_header("x-greeting") == "Hello, Ada!");
}

TEST_CASE("the name is percent-decoded, and CR/LF cannot reach the header", "[hello_routes]") {
  auto spaced = plugs::call(hello(), plugs::test_conn("GET", "/J%C3%B6rg%20Stein"));
  CHECK(spaced.resp_body == "Hello, Jörg Stein!\n");
  CHECK(spaced.get_resp_header("x-greeting") == "Hello, Jörg Stein!");
  auto injected = plugs::call(hello(), plugs::test_conn("GET", "/x%0D%0ASet-Cookie:%20a=b"));
  CHECK(injected.status == 200);
  CHECK(injected.get_resp_header("x-greeting") == "Hello, x%0D%0ASet-Cookie: a=b!");
  CHECK_FALSE(injected.get_resp_header("set-cookie"));
  CHECK(app::greeting_header(std::string("a\tb\x7f", 4)) == "Hello, a%09b%7F!");
}

TEST_CASE("GET /crash raises inside the pipeline: a 500, not an exception", "[hello_routes]") {
  auto c = plugs::call(hello(), plugs::test_conn("GET", "/crash"));
  CHECK(c.status == 500);
  CHECK(c.resp_body == "Internal Server Error\n");
}

TEST_CASE("other methods and deeper paths are refused by the router", "[hello_routes]") {
  CHECK(plugs::call(hello(), plugs::test_conn("POST", "/Ada")).status == 405);
  CHECK(plugs::call(hello(), plugs::test_conn("GET", "/a/b")).status == 404);
}
