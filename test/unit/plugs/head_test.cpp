#include "plugnode/plugs/head.hpp"

#include <catch2/catch.hpp>

#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;

TEST_CASE("head runs HEAD requests through the GET route", "[head]") {
  router r;
  r.get("/", [](conn& c) { c.send_resp(200, "body"); });
  pipeline p{head{}, r};
  auto c = call(p, test_conn("HEAD", "/"));
  CHECK(c.status == 200);
  CHECK(c.method == "GET");
  CHECK(is_head_request(c));
  auto get = call(p, test_conn("GET", "/"));
  CHECK_FALSE(is_head_request(get));
  CHECK(call(p, test_conn("POST", "/")).status == 405);
}
