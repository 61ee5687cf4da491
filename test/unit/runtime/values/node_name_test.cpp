#include "plugnode/runtime/node_name.hpp"

#include <catch2/catch.hpp>

using plugnode::runtime::node_name;

TEST_CASE("a node name is app@host", "[node_name]") {
  auto name = node_name::parse("plugnode@plugnode-0.plugnode.default.svc.cluster.local");
  REQUIRE(name);
  CHECK(name->app() == "plugnode");
  CHECK(name->host() == "plugnode-0.plugnode.default.svc.cluster.local");
  CHECK(name->to_string() == "plugnode@plugnode-0.plugnode.default.svc.cluster.local");
}

TEST_CASE("IP addresses and trailing dots are valid hosts, the host is kept in one spelling", "[node_name]") {
  CHECK(node_name::parse("app@127.0.0.2")->host() == "127.0.0.2");
  CHECK(node_name::parse("app@Pod-0.Example.")->host() == "pod-0.example");
  CHECK(*node_name::parse("a@h") == *node_name::parse("a@H."));
}

TEST_CASE("malformed node names are refused with a reason", "[node_name]") {
  auto refused = [](const std::string& text, const std::string& reason) {
    std::string error;
    INFO(text);
    CHECK_FALSE(node_name::parse(text, &error));
    CHECK_THAT(error, Catch::Contains(reason));
  };
  refused("@host", "app part");
  refused("app@", "host part");
  refused("apphost", "app@host");
  refused("app @host", "app part");
  refused("app@ho st", "host part");
  refused("a@b@c", "more than one");
  refused("app@a..b", "empty label");
  refused("app@-a.b", "starts or ends");
  refused("app@" + std::string(64, 'x') + ".b", "63");
  refused("app@" + std::string(300, 'x'), "longer than 255");
}

TEST_CASE("the default node name uses this host's fully qualified name", "[node_name]") {
  auto name = node_name::local_default();
  CHECK(name.app() == "plugnode");
  CHECK_FALSE(name.host().empty());
}
