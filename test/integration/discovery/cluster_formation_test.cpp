// Real `plugnode foreground` nodes forming a cluster through a real dnsmasq (k8s-a: the Service's A records
// name the pods): a full mesh, kept through a DNS outage, a node removed from DNS dropped by discovery, and
// a mesh (and readiness) that stray or forged datagrams before each answer do not disturb.
#include <signal.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "dns_servers.hpp"
#include "hostile_dns.hpp"
#include "plugnode/test/http_get.hpp"
#include "plugnode/test/ports.hpp"
#include "plugnode/test/process.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

const std::string svc = "app.default.svc.cluster.local";

struct node_set {
  std::vector<std::string> addresses{"127.0.4.10", "127.0.4.11", "127.0.4.12"};
  std::string strategy = "k8s-a";
  // Host part of each node's name: its address (k8s-a), or a pod host name only the test's DNS knows
  // (k8s-srv).
  std::vector<std::string> hosts = addresses;
  std::uint16_t dist_port = free_port_on(addresses);
  std::vector<std::uint16_t> own_ports; // when set, node i listens on own_ports[i] instead of dist_port
  std::uint16_t http_port = free_port_on(addresses);
  std::vector<std::unique_ptr<process>> nodes;

  void start(const plugnode::discovery::nameserver& dns) {
    for (std::size_t i = 0; i < addresses.size(); ++i) {
      const auto& address = addresses[i];
      nodes.push_back(std::make_unique<process>(std::vector<std::string>{plugnode_binary(), "foreground"},
                                                std::map<std::string, std::optional<std::string>>{
                                                    {"PLUGNODE_NODE", "plugnode@" + hosts[i]},
                                                    {"PLUGNODE_DIST_ADDR", address},
                                                    {"PLUGNODE_DIST_PORT", std::to_string(port_of(i))},
                                                    {"PLUGNODE_COOKIE", "discovery-test-cookie"},
                                                    {"PLUGNODE_DISCOVERY", strategy},
                                                    {"PLUGNODE_SERVICE", "app"},
                                                    {"PLUGNODE_NAMESPACE", "default"},
                                                    {"PLUGNODE_DNS_SERVER", dns.to_string()},
                                                    {"PLUGNODE_POLL_INTERVAL", "1s"},
                                                    {"HTTP_PORT", std::to_string(http_port)},
                                                    {"PLUGNODE_HTTP_ADDR", address}}));
    }
  }

  std::uint16_t port_of(std::size_t i) const { return own_ports.empty() ? dist_port : own_ports[i]; }

  // True when every node lists all the others as visible peers.
  bool meshed() const {
    for (std::size_t i = 0; i < nodes.size(); ++i)
      if (peers(i) != static_cast<int>(nodes.size()) - 1)
        return false;
    return true;
  }

  nlohmann::json cluster(std::size_t i) const {
    auto body = ok_body(addresses[i], http_port, "/cluster");
    return body ? nlohmann::json::parse(*body, nullptr, false) : nlohmann::json::object();
  }

  // Visible peers node i lists (-1 when it does not answer).
  int peers(std::size_t i) const {
    auto doc = cluster(i);
    if (!doc.contains("peers"))
      return -1;
    return static_cast<int>(std::count_if(doc["peers"].begin(), doc["peers"].end(),
                                          [](const auto& p) { return p["hidden"] == false; }));
  }
};

std::vector<host_entry> service_records(const std::vector<std::string>& addresses) {
  std::vector<host_entry> out;
  for (const auto& address : addresses)
    out.push_back({svc, address});
  return out;
}

} // namespace

TEST_CASE("plugnode nodes mesh through DNS, keep the mesh while DNS is down, and drop a pod DNS lost",
          "[cluster_formation]") {
  dnsmasq_server dns({});
  node_set set;
  dns.set_live_hosts(service_records(set.addresses));
  set.start(dns.address());
  auto mesh = [&](int want) {
    for (std::size_t i = 0; i < set.nodes.size(); ++i)
      if (set.nodes[i]->running() && set.peers(i) != want)
        return false;
    return true;
  };
  REQUIRE(eventually([&] { return mesh(2); }, 15s));
  CHECK(set.cluster(0)["discovery"]["ready"] == true);

  // DNS down: lookups fail, the mesh stays.
  dns.stop();
  auto errors = [&] { return set.cluster(0)["discovery"].value("errors", 0); };
  bool kept = true;
  CHECK(eventually(
      [&] {
        kept = kept && mesh(2);
        return errors() >= 2;
      },
      15s));
  CHECK(kept);
  CHECK(mesh(2));

  // DNS back without the third pod, which dies: the others drop it, discovery forgets it after K answers.
  dns.set_live_hosts(service_records({set.addresses[0], set.addresses[1]}));
  dns.start();
  set.nodes[2]->signal(SIGKILL);
  set.nodes[2]->wait(5s);
  CHECK(eventually([&] { return set.peers(0) == 1 && set.peers(1) == 1; }, 10s));
  CHECK(eventually([&] { return set.cluster(0)["discovery"]["peers"].size() == 1; }, 15s));
  CHECK(set.cluster(0)["discovery"]["peers"][0]["node"] == "plugnode@" + set.addresses[1]);
}

TEST_CASE("k8s-srv: nodes named by pod host names mesh, dialling each other through PLUGNODE_DNS_SERVER",
          "[cluster_formation]") {
  node_set set;
  set.strategy = "k8s-srv";
  dns_zone zone;
  for (std::size_t i = 0; i < set.addresses.size(); ++i) {
    set.hosts[i] = "app-" + std::to_string(i) + "." + svc;
    zone.srv.push_back({"_dist._tcp." + svc, set.hosts[i], set.dist_port});
    zone.hosts.push_back({set.hosts[i], set.addresses[i]});
  }
  dnsmasq_server dns(zone);
  set.start(dns.address());
  CHECK(eventually([&] { return set.meshed(); }, 15s));
  auto peers = set.cluster(0)["peers"];
  REQUIRE(peers.size() == 2);
  CHECK(peers[0]["node"] == "plugnode@" + set.hosts[1]);
}

TEST_CASE("k8s-srv: a peer listening on another port than this node's is dialled at its SRV port",
          "[cluster_formation]") {
  // Two nodes, each on a port of its own: each can only reach the other through the port its SRV record
  // names (a node that dialled its own port would find nothing listening there).
  node_set set;
  set.strategy = "k8s-srv";
  set.addresses.resize(2);
  set.hosts.resize(2);
  set.own_ports = {set.dist_port, free_port_on(set.addresses)};
  REQUIRE(set.own_ports[0] != set.own_ports[1]);
  dns_zone zone;
  for (std::size_t i = 0; i < set.addresses.size(); ++i) {
    set.hosts[i] = "app-" + std::to_string(i) + "." + svc;
    zone.srv.push_back({"_dist._tcp." + svc, set.hosts[i], set.own_ports[i]});
    zone.hosts.push_back({set.hosts[i], set.addresses[i]});
  }
  dnsmasq_server dns(zone);
  set.start(dns.address());
  bool meshed = eventually([&] { return set.meshed(); }, 15s);
  INFO(set.nodes[0]->output());
  CHECK(meshed);
}

TEST_CASE("stray and forged datagrams before each DNS answer neither stop readiness nor add peers",
          "[cluster_formation]") {
  dnsmasq_server dns({});
  for (auto trick : {dns_trick::wrong_id, dns_trick::other_address}) {
    INFO("trick " << static_cast<int>(trick));
    node_set set;
    set.addresses.resize(2);
    set.hosts.resize(2);
    dns.set_live_hosts(service_records(set.addresses));
    // Before every real answer, a datagram naming 127.0.0.66: with another ID (a stray late answer), or
    // with the query's ID from another address (a forgery).
    hostile_dns forger("127.0.4.53", trick, dns.address());
    set.start(forger.address());
    CHECK(eventually([&] { return set.meshed(); }, 15s));
    for (std::size_t i = 0; i < set.addresses.size(); ++i) {
      CHECK(eventually([&] { return ok_body(set.addresses[i], set.http_port, "/readyz").has_value(); }, 10s));
      auto discovered = set.cluster(i)["discovery"];
      CHECK(discovered["ready"] == true);
      CHECK(discovered["peers"].size() == 1);
      CHECK(discovered.dump().find(forged_address) == std::string::npos);
    }
    CHECK(forger.forged() >= 2);
  }
}
