#include "plugnode/plugs/request_id.hpp"

#include <catch2/catch.hpp>

#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;

TEST_CASE("request_id generates an id and sets it on the response", "[request_id]") {
  auto a = call(request_id{}, test_conn("GET", "/"));
  auto b = call(request_id{}, test_conn("GET", "/"));
  REQUIRE(a.get_resp_header("x-request-id"));
  CHECK(valid_request_id(*a.get_resp_header("x-request-id")));
  CHECK(request_id_of(a) == *a.get_resp_header("x-request-id"));
  CHECK(request_id_of(a) != request_id_of(b));
  CHECK(request_id_of(test_conn("GET", "/")) == "-");
}

TEST_CASE("request_id keeps a sane incoming id and replaces anything else", "[request_id]") {
  std::string sane = "upstream-0123456789abcdef";
  auto kept = call(request_id{}, test_conn("GET", "/", "", {{"X-Request-Id", sane}}));
  CHECK(request_id_of(kept) == sane);
  for (std::string bad :
       {std::string("short"), std::string(201, 'a'), std::string("has spaces in it and more text"),
        std::string("quote\"0123456789abcdefghij")}) {
    auto replaced = call(request_id{}, test_conn("GET", "/", "", {{"x-request-id", bad}}));
    CHECK(request_id_of(replaced) != bad);
    CHECK(valid_request_id(request_id_of(replaced)));
  }
}

TEST_CASE("request_id reads and writes the header it is configured with", "[request_id]") {
  std::string sane = "upstream-0123456789abcdef";
  auto c = call(request_id{"X-Trace-Id"}, test_conn("GET", "/", "", {{"x-trace-id", sane}}));
  CHECK(c.get_resp_header("x-trace-id") == sane);
}
