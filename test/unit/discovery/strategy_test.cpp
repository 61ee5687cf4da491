// Strategy names, Kubernetes query names, PLUGNODE_STATIC_NODES.
#include "plugnode/discovery/strategy.hpp"

#include <catch2/catch.hpp>

using namespace plugnode::discovery;

TEST_CASE("PLUGNODE_DISCOVERY values", "[strategy]") {
  for (auto kind :
       {strategy_kind::none, strategy_kind::static_list, strategy_kind::k8s_srv, strategy_kind::k8s_a})
    CHECK(parse_strategy(to_string(kind)) == kind);
  CHECK_FALSE(parse_strategy("gossip"));
}

TEST_CASE("Kubernetes SRV names: the named-port form first, then the bare service name", "[strategy]") {
  k8s_service svc{"plugnode", "prod", "dist", "cluster.local"};
  CHECK(srv_query_names(svc) == std::vector<std::string>{"_dist._tcp.plugnode.prod.svc.cluster.local",
                                                         "plugnode.prod.svc.cluster.local"});
}

TEST_CASE("PLUGNODE_STATIC_NODES: comma-separated, validated node names", "[strategy]") {
  auto nodes = parse_static_nodes("a@127.0.0.1, b@127.0.0.2 ,a@127.0.0.1");
  REQUIRE(nodes);
  REQUIRE(nodes->size() == 2);
  CHECK(nodes->at(0).to_string() == "a@127.0.0.1");
  CHECK(nodes->at(1).to_string() == "b@127.0.0.2");
  CHECK(parse_static_nodes("")->empty());

  std::string error;
  CHECK_FALSE(parse_static_nodes("a@127.0.0.1,nohost", &error));
  CHECK(error == "PLUGNODE_STATIC_NODES: invalid node name 'nohost': expected app@host");
  CHECK_FALSE(parse_static_nodes("a@127.0.0.1,,b@h", &error));
}
