#include "plugnode/plugs/uri.hpp"

#include <catch2/catch.hpp>

using namespace plugnode::plugs;

TEST_CASE("percent_decode decodes escapes, and '+' only in form encoding", "[uri]") {
  CHECK(percent_decode("a%20b%2Fc") == "a b/c");
  CHECK(percent_decode("a+b") == "a+b");
  CHECK(percent_decode("a+b", true) == "a b");
  CHECK(percent_decode("%e2%82%ac") == "\xe2\x82\xac");
}

TEST_CASE("percent_decode refuses truncated, non-hex and NUL escapes", "[uri]") {
  CHECK_FALSE(percent_decode("%"));
  CHECK_FALSE(percent_decode("abc%2"));
  CHECK_FALSE(percent_decode("%g0"));
  CHECK_FALSE(percent_decode("%00"));
}

TEST_CASE("split_path drops empty segments and refuses dot segments", "[uri]") {
  CHECK(split_path("/") == std::vector<std::string>{});
  CHECK(split_path("//a///b/") == std::vector<std::string>{"a", "b"});
  CHECK(split_path("/a%2Fb") == std::vector<std::string>{"a/b"});
  CHECK(split_path("/a/.../b") == std::vector<std::string>{"a", "...", "b"});
  CHECK_FALSE(split_path("a/b"));
  CHECK_FALSE(split_path(""));
  CHECK_FALSE(split_path("/a/./b"));
  CHECK_FALSE(split_path("/a/.."));
  CHECK_FALSE(split_path("/%2E%2e"));
  CHECK_FALSE(split_path("/a%"));
}

TEST_CASE("parse_query keeps the last of repeated keys", "[uri]") {
  auto params = parse_query("a=1&b=&c&a=2&&d=x%3Dy");
  REQUIRE(params);
  CHECK(*params == std::map<std::string, std::string>{{"a", "2"}, {"b", ""}, {"c", ""}, {"d", "x=y"}});
  CHECK(parse_query("")->empty());
  CHECK_FALSE(parse_query("a=%ZZ"));
  CHECK_FALSE(parse_query("%=1"));
}
