#include "plugnode/app/hello_routes.hpp"

#include <catch2/catch.hpp>

using plugnode::plugs::conn;

TEST_CASE("GET / greets the world", "[hello_routes]") {
  conn c;
  c.method = "GET";
  c.path = "/";
  plugnode::app::hello_routes(c);
  CHECK(c.status == 200);
  CHECK(c.resp_body == "Hello, World!\n");
}
