#include "plugnode/plugs/parsers.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;

TEST_CASE("parsers decode a JSON body", "[parsers]") {
  auto c = call(parsers{}, test_conn("POST", "/", R"({"name":"ada","n":[1,2]})",
                                     {{"Content-Type", "application/json; charset=utf-8"}}));
  CHECK_FALSE(c.halted);
  REQUIRE(json_body(c));
  CHECK((*json_body(c))["name"] == "ada");
  CHECK((*json_body(c))["n"][1] == 2);
  auto vendor = call(parsers{}, test_conn("POST", "/", "[]", {{"content-type", "application/vnd.api+json"}}));
  CHECK(json_body(vendor));
}

TEST_CASE("parsers decode an urlencoded form", "[parsers]") {
  auto c = call(parsers{}, test_conn("POST", "/", "name=J%C3%BCrgen+S&x=1",
                                     {{"content-type", "application/x-www-form-urlencoded"}}));
  CHECK(c.body_params == std::map<std::string, std::string>{{"name", "J\xC3\xBCrgen S"}, {"x", "1"}});
}

TEST_CASE("parsers answer 400 for a malformed body", "[parsers]") {
  auto json = call(parsers{}, test_conn("POST", "/", "{\"a\":", {{"content-type", "application/json"}}));
  CHECK(json.status == 400);
  CHECK(json.halted);
  auto form = call(parsers{},
                   test_conn("POST", "/", "a=%zz", {{"content-type", "application/x-www-form-urlencoded"}}));
  CHECK(form.status == 400);
}

TEST_CASE("parsers answer 413 past the size limit", "[parsers]") {
  parsers small({true, true, 10, {}});
  auto c =
      call(small, test_conn("POST", "/", R"({"long":"enough"})", {{"content-type", "application/json"}}));
  CHECK(c.status == 413);
  CHECK(c.halted);
}

TEST_CASE("parsers answer 415 for a type they do not know, unless passed", "[parsers]") {
  auto c = call(parsers{}, test_conn("POST", "/", "hello", {{"content-type", "text/plain"}}));
  CHECK(c.status == 415);
  auto untyped = call(parsers{}, test_conn("POST", "/", "hello"));
  CHECK(untyped.status == 415);
  auto passed = call(parsers({true, true, 1024, {"text/plain"}}),
                     test_conn("POST", "/", "hello", {{"content-type", "text/plain"}}));
  CHECK_FALSE(passed.halted);
  auto all = call(parsers({true, true, 1024, {"*/*"}}),
                  test_conn("POST", "/", "x", {{"content-type", "image/png"}}));
  CHECK_FALSE(all.halted);
  auto no_json = call(parsers({false, true, 1024, {}}),
                      test_conn("POST", "/", "{}", {{"content-type", "application/json"}}));
  CHECK(no_json.status == 415);
}

TEST_CASE("parsers let a request without a body through", "[parsers]") {
  auto c = call(parsers{}, test_conn("GET", "/"));
  CHECK_FALSE(c.halted);
  CHECK(json_body(c) == nullptr);
}

TEST_CASE("parsers read a spooled body through read_body, as one kept in memory", "[parsers][read_body]") {
  auto json = test_conn("POST", "/", R"({"upload":"large"})", {{"content-type", "application/json"}});
  spool_body(json);
  REQUIRE(json.body.empty());
  json = call(parsers{}, std::move(json));
  CHECK_FALSE(json.halted);
  REQUIRE(json_body(json));
  CHECK((*json_body(json))["upload"] == "large");
  auto form = test_conn("POST", "/", "a=1&b=2", {{"content-type", "application/x-www-form-urlencoded"}});
  form = call(parsers{}, std::move(spool_body(form)));
  CHECK(form.body_params == std::map<std::string, std::string>{{"a", "1"}, {"b", "2"}});
  // Past max_length: 413 from the length alone, nothing read.
  auto large = test_conn("POST", "/", R"({"long":"enough"})", {{"content-type", "application/json"}});
  large = call(parsers({true, true, 10, {}}), std::move(spool_body(large)));
  CHECK(large.status == 413);
  CHECK(large.body_read == 0);
}
