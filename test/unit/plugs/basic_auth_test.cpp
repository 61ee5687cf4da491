#include "plugnode/plugs/basic_auth.hpp"

#include <catch2/catch.hpp>

#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;

namespace {
const basic_auth guard({"ada", "s3cret:with colon", "admin area"});
}

TEST_CASE("basic_auth lets the right credentials through", "[basic_auth]") {
  // base64("ada:s3cret:with colon")
  auto c = call(guard, test_conn("GET", "/", "", {{"authorization", "Basic YWRhOnMzY3JldDp3aXRoIGNvbG9u"}}));
  CHECK_FALSE(c.halted);
  CHECK(c.status == 0);
  auto lower =
      call(guard, test_conn("GET", "/", "", {{"Authorization", "basic YWRhOnMzY3JldDp3aXRoIGNvbG9u"}}));
  CHECK_FALSE(lower.halted);
}

TEST_CASE("basic_auth answers 401 with a challenge otherwise", "[basic_auth]") {
  for (std::string header :
       {"", "Basic YWRhOndyb25n" /* ada:wrong */, "Basic Ym9iOnMzY3JldA==" /* bob:s3cret */, "Basic !!!!",
        "Bearer abc", "Basic", "Basic YWRh" /* no colon */}) {
    headers h;
    if (!header.empty())
      h.emplace("authorization", header);
    auto c = call(guard, test_conn("GET", "/", "", h));
    CHECK(c.status == 401);
    CHECK(c.halted);
    CHECK(c.get_resp_header("www-authenticate") == "Basic realm=\"admin area\"");
  }
}

TEST_CASE("parse_basic_auth decodes padding correctly", "[basic_auth]") {
  auto c = test_conn("GET", "/", "", {{"authorization", "Basic YTpi"}}); // a:b
  CHECK(parse_basic_auth(c) == std::pair<std::string, std::string>{"a", "b"});
  auto padded = test_conn("GET", "/", "", {{"authorization", "Basic YTpiYw=="}}); // a:bc
  CHECK(parse_basic_auth(padded) == std::pair<std::string, std::string>{"a", "bc"});
}

TEST_CASE("secure_equal compares whole strings", "[basic_auth]") {
  CHECK(secure_equal("abc", "abc"));
  CHECK_FALSE(secure_equal("abc", "abd"));
  CHECK_FALSE(secure_equal("abc", "abcd"));
  CHECK(secure_equal("", ""));
  CHECK_THROWS_AS(basic_auth({"a", "b", "bad\"realm"}), std::invalid_argument);
}
