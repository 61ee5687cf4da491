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
