// Strategies against dnsmasq: SRV forms, port 0, A records, errors never empty clusters.
#include "plugnode/discovery/peer_lookup.hpp"

#include <catch2/catch.hpp>

#include "dns_servers.hpp"
#include "hostile_dns.hpp"

using namespace plugnode::discovery;
using plugnode::runtime::node_name;
using plugnode::test::dns_trick;
using plugnode::test::dns_zone;
using plugnode::test::dnsmasq_server;
using plugnode::test::hostile_dns;

namespace {

const std::string svc = "app.default.svc.cluster.local";

std::vector<std::string> names(const std::vector<peer>& peers) {
  std::vector<std::string> out;
  for (const auto& p : peers)
    out.push_back(p.node.to_string());
  return out;
}

strategy_config k8s(strategy_kind kind) {
  strategy_config config;
  config.kind = kind;
  config.service = {"app", "default", "dist", "cluster.local"};
  config.app = "plugnode";
  config.dist_port = 4444;
  return config;
}

} // namespace

TEST_CASE("SRV targets become node names, port 0 means the distribution port", "[peer_lookup]") {
  std::vector<srv_record> records{
      {"_dist._tcp." + svc + ".",
       30,
       0,
       10,
       0,
       "app-1." + svc + ".",
       {{"app-1." + svc + ".", 30, false, "127.0.0.3"}}},
      {"_dist._tcp." + svc + ".", 30, 0, 10, 4370, "APP-0." + svc + ".", {}},
      {"_dist._tcp." + svc + ".", 30, 0, 10, 4370, "app-0." + svc + ".", {}},
      {"_dist._tcp." + svc + ".", 30, 0, 10, 4370, "bad_target.", {}},
  };
  auto peers = peers_from_srv(records, "plugnode", 4444);
  CHECK(names(peers) == std::vector<std::string>{"plugnode@app-0." + svc, "plugnode@app-1." + svc});
  CHECK(peers[0].port == 4370);
  CHECK(peers[1].port == 4444);
  CHECK(peers[1].addresses == std::vector<std::string>{"127.0.0.3"});
}

TEST_CASE("k8s-srv: the named-port form, with its port and additional addresses", "[peer_lookup]") {
  dnsmasq_server dns({{{"_dist._tcp." + svc, "app-0." + svc, 4370},
                       {"_dist._tcp." + svc, "app-1." + svc, 4370},
                       {svc, "app-9." + svc, 0}},
                      {{"app-0." + svc, "127.0.0.2"}, {"app-1." + svc, "127.0.0.3"}}});
  auto peers = find_peers(k8s(strategy_kind::k8s_srv), dns_client(dns.resolver()));
  REQUIRE(peers.ok());
  CHECK(names(peers.value()) == std::vector<std::string>{"plugnode@app-0." + svc, "plugnode@app-1." + svc});
  CHECK(peers->at(0).port == 4370);
  CHECK(peers->at(0).addresses == std::vector<std::string>{"127.0.0.2"});
}

TEST_CASE("k8s-srv: the bare service name when the named port has no records, port 0 replaced",
          "[peer_lookup]") {
  dnsmasq_server dns({{{svc, "app-0." + svc, 0}, {svc, "app-1." + svc, 0}}, {}});
  auto peers = find_peers(k8s(strategy_kind::k8s_srv), dns_client(dns.resolver()));
  REQUIRE(peers.ok());
  CHECK(names(peers.value()) == std::vector<std::string>{"plugnode@app-0." + svc, "plugnode@app-1." + svc});
  CHECK(peers->at(0).port == 4444);
}

TEST_CASE("k8s-srv: no records under either name is an error, not an empty cluster", "[peer_lookup]") {
  dnsmasq_server dns({{}, {}});
  auto peers = find_peers(k8s(strategy_kind::k8s_srv), dns_client(dns.resolver()));
  REQUIRE_FALSE(peers.ok());
  CHECK(peers.error().code == dns_errc::nxdomain);
  CHECK(peers.error().detail == "no SRV records for _dist._tcp." + svc + " nor " + svc);
}

TEST_CASE("k8s-srv: a failing server is reported as it is, the bare name not tried", "[peer_lookup]") {
  auto config = k8s(strategy_kind::k8s_srv);
  config.service.cluster_domain = "example.org"; // outside dnsmasq's local domain: REFUSED
  dnsmasq_server dns({{}, {}});
  auto peers = find_peers(config, dns_client(dns.resolver()));
  REQUIRE_FALSE(peers.ok());
  CHECK(peers.error().code == dns_errc::refused);
}

TEST_CASE("k8s-a: the service's A records become app@<ip>", "[peer_lookup]") {
  dnsmasq_server dns({{}, {{svc, "127.0.0.3"}, {svc, "127.0.0.2"}}});
  auto peers = find_peers(k8s(strategy_kind::k8s_a), dns_client(dns.resolver()));
  REQUIRE(peers.ok());
  CHECK(names(peers.value()) == std::vector<std::string>{"plugnode@127.0.0.2", "plugnode@127.0.0.3"});
  CHECK(peers->at(0).port == 4444);
}

TEST_CASE("static and none need no DNS", "[peer_lookup]") {
  dns_client unused(resolver_config{});
  strategy_config config;
  CHECK(find_peers(config, unused).value().empty());
  config.kind = strategy_kind::static_list;
  config.static_nodes = *parse_static_nodes("b@127.0.0.3,a@127.0.0.2");
  CHECK(names(find_peers(config, unused).value()) == std::vector<std::string>{"a@127.0.0.2", "b@127.0.0.3"});
}

// A forger next to the real server (hostile_dns.hpp) sends its peers (plugnode@forged-0..., at 127.0.0.66)
// before each real answer, in each of its disguises: the peers are the real ones every time.
TEST_CASE("spoofed answers do not change the peers", "[peer_lookup][spoofing]") {
  dnsmasq_server dns(
      {{{"_dist._tcp." + svc, "app-0." + svc, 4370}, {"_dist._tcp." + svc, "app-1." + svc, 4370}},
       {{"app-0." + svc, "127.0.0.2"}, {"app-1." + svc, "127.0.0.3"}, {svc, "127.0.0.2"}}});
  for (auto trick :
       {dns_trick::other_address, dns_trick::other_port, dns_trick::wrong_id, dns_trick::other_question}) {
    INFO("trick " << static_cast<int>(trick));
    hostile_dns forger("127.0.0.53", trick, dns.address());
    dns_client client(forger.resolver(std::chrono::milliseconds(2000)));
    auto srv = find_peers(k8s(strategy_kind::k8s_srv), client);
    REQUIRE(srv.ok());
    CHECK(names(srv.value()) == std::vector<std::string>{"plugnode@app-0." + svc, "plugnode@app-1." + svc});
    CHECK(srv->at(1).addresses == std::vector<std::string>{"127.0.0.3"});
    auto a = find_peers(k8s(strategy_kind::k8s_a), client);
    REQUIRE(a.ok());
    CHECK(names(a.value()) == std::vector<std::string>{"plugnode@127.0.0.2"});
    CHECK(forger.forged() == 2); // it did try, once per look-up
  }
}
