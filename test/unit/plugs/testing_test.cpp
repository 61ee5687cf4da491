#include "plugnode/plugs/testing.hpp"

#include <catch2/catch.hpp>

using namespace plugnode::plugs;

TEST_CASE("test_conn builds a request as the endpoint would", "[testing]") {
  auto c = test_conn("POST", "/a/b%20c?q=1", "body",
                     {{"Content-Type", "text/plain"}, {"X-Many", "1"}, {"x-many", "2"}});
  CHECK(c.method == "POST");
  CHECK(c.path_info == std::vector<std::string>{"a", "b c"});
  CHECK(c.query_params.at("q") == "1");
  CHECK(c.body == "body");
  CHECK(c.get_req_header("content-type") == "text/plain");
  CHECK(c.req_headers.count("x-many") == 2);
  CHECK(c.status == 0);
  CHECK(c.state == conn::resp_state::unset);
  CHECK_FALSE(c.halted);
  CHECK_THROWS_AS(test_conn("GET", "/%"), bad_request);
}

TEST_CASE("call returns the conn as the plug left it", "[testing]") {
  auto c = call([](conn& x) { x.assign("k", 1).put_resp_header("x-a", "b").send_resp(418, "teapot"); },
                test_conn("GET", "/"));
  CHECK(c.status == 418);
  CHECK(c.resp_body == "teapot");
  CHECK(c.get_resp_header("x-a") == "b");
  CHECK(*c.assigned<int>("k") == 1);
  CHECK(c.halted);
}
