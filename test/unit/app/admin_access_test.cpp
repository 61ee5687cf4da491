// admin_access: the admin listener's token, through the plug test harness.
#include "plugnode/app/admin_access.hpp"

#include <catch2/catch.hpp>
#include <prometheus/registry.h>

#include "plugnode/plugs/testing.hpp"

using namespace plugnode;

namespace {

constexpr const char* token = "0123456789abcdef-token";

plugs::conn with_authorization(const std::string& value) {
  auto c = plugs::test_conn("GET", "/");
  c.req_headers.emplace("authorization", value);
  return c;
}

} // namespace

TEST_CASE(
    "the token passes as a Bearer token or a Basic password, and anything else is a 401 with a challenge",
    "[admin_access]") {
  prometheus::Registry registry;
  app::admin_access gate(token, registry);
  auto bearer = plugs::call(gate, with_authorization(std::string("Bearer ") + token));
  CHECK_FALSE(bearer.halted);
  // "anyone:0123456789abcdef-token"
  auto basic = plugs::call(gate, with_authorization("Basic YW55b25lOjAxMjM0NTY3ODlhYmNkZWYtdG9rZW4="));
  CHECK_FALSE(basic.halted);

  for (const char* wrong : {"Bearer 0123456789abcdef-toke", "Bearer 0123456789abcdef-tokenx", "Bearer ",
                            "token 0123456789abcdef-token", "Basic !!!!"}) {
    auto refused = plugs::call(gate, with_authorization(wrong));
    CHECK(refused.status == 401);
    CHECK(refused.halted);
    CHECK(refused.get_resp_header("www-authenticate") == "Basic realm=\"plugnode admin\"");
  }
  auto none = plugs::call(gate, plugs::test_conn("GET", "/"));
  CHECK(none.status == 401);
  auto families = registry.Collect();
  REQUIRE(families.size() == 1);
  CHECK(families[0].name == "plugnode_admin_refused_total");
  CHECK(families[0].metric[0].counter.value == 6);
}

TEST_CASE("without a token (a loopback listener) every request passes", "[admin_access]") {
  prometheus::Registry registry;
  app::admin_access gate("", registry);
  CHECK_FALSE(plugs::call(gate, plugs::test_conn("GET", "/")).halted);
}
