#include "plugnode/plugs/pipeline.hpp"

#include <catch2/catch.hpp>

#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;

TEST_CASE("a pipeline runs its plugs in order", "[pipeline]") {
  pipeline p{[](conn& c) { c.assign("trail", std::string("a")); },
             [](conn& c) { c.assign("trail", *c.assigned<std::string>("trail") + "b"); }};
  p.add([](conn& c) { c.send_resp(200, *c.assigned<std::string>("trail")); });
  auto c = call(p, test_conn("GET", "/"));
  CHECK(c.resp_body == "ab");
}

TEST_CASE("a pipeline stops at the plug that halts", "[pipeline]") {
  bool reached = false;
  pipeline p{[](conn& c) { c.put_status(401).halt(); }, [&](conn&) { reached = true; }};
  auto c = call(p, test_conn("GET", "/"));
  CHECK(c.halted);
  CHECK(c.status == 401);
  CHECK_FALSE(reached);
}

TEST_CASE("a pipeline is a plug and nests", "[pipeline]") {
  pipeline inner{[](conn& c) { c.put_resp_header("x-inner", "1"); }};
  pipeline outer{inner, [](conn& c) { c.send_resp(204, ""); }};
  auto c = call(outer, test_conn("GET", "/"));
  CHECK(c.get_resp_header("x-inner") == "1");
  CHECK(c.status == 204);
}
