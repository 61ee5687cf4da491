// The mixed-cluster walkthrough of docs/operations.md ("Mixed clusters"), as an operator lives it: one
// headless Service (a real dnsmasq) names the four pods of a StatefulSet on loopback, two plugnode nodes and
// two BEAM nodes, all `app@<pod>.plugnode.default.svc.cluster.local` with one cookie. plugnode's k8s-srv
// discovery finds the BEAM pods along with its own kind; in iex on a BEAM pod, Node.connect reaches both
// plugnode pods and their greeter answers; /cluster shows who speaks which protocol; a BEAM pod that stops
// leaves the plugnode nodes' lists.
#include <catch2/catch.hpp>

#include <csignal>
#include <set>
#include <sstream>

#include "dns_servers.hpp"
#include "plugnode/test/ports.hpp"
#include "pods.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

// The lines of a command's output, in any order (`nodes` promises no order).
std::set<std::string> lines(const std::string& text) {
  std::set<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    out.insert(line);
  return out;
}

// The protocol /cluster names for peer `node` ("" when it does not list the node).
std::string protocol_of(const nlohmann::json& cluster, const std::string& node) {
  for (const auto& p : cluster.value("peers", nlohmann::json::array()))
    if (p.value("node", "") == node)
      return p.value("protocol", "");
  return "";
}

// `nodes` on `pod` until it lists exactly `expected` or `bound` passes; what it listed last.
std::string nodes_until(const plugnode_pod& pod, const std::set<std::string>& expected,
                        std::chrono::milliseconds bound) {
  std::string seen;
  eventually(
      [&] {
        seen = pod.rpc("nodes");
        return lines(seen) == expected;
      },
      bound);
  return seen;
}

} // namespace

TEST_CASE("walkthrough: 2 plugnode and 2 BEAM pods under one Service form one cluster",
          "[erlang][walkthrough]") {
  // The StatefulSet: four pods, each on an address of its own, all on the same ports.
  const std::vector<std::string> addresses{"127.0.12.10", "127.0.12.11", "127.0.12.12", "127.0.12.13"};
  const std::vector<std::string> pods{"plugnode-0", "plugnode-1", "beam-0", "beam-1"};
  statefulset set;
  set.cookie = "walkthrough-cookie";
  std::set<std::uint16_t> ports;
  while (ports.size() < 4)
    ports.insert(free_port_on(addresses));
  auto port = ports.begin();
  set.dist_port = *port++;
  set.erlang_port = *port++;
  set.epmd_port = *port++;
  set.http_port = *port++;

  // The headless Service: an SRV record per pod (its `dist` port), an A record per pod host name.
  dns_zone zone;
  for (std::size_t i = 0; i < pods.size(); ++i) {
    zone.srv.push_back({"_dist._tcp." + set.service_fqdn(), set.host(pods[i]), set.dist_port});
    zone.hosts.push_back({set.host(pods[i]), addresses[i]});
  }
  dnsmasq_server dns(zone);
  set.dns_server = dns.address().to_string();

  beam_image image(set);
  plugnode_pod plugnode0(set, "plugnode-0", addresses[0]);
  plugnode_pod plugnode1(set, "plugnode-1", addresses[1]);
  beam_pod beam0(set, image, "beam-0", addresses[2]);
  beam_pod beam1(set, image, "beam-1", addresses[3]);

  // 1. plugnode side: discovery finds every pod of the Service. `plugnode rpc nodes` on either plugnode pod
  //    lists the other plugnode pod and both BEAM pods, these marked [erlang].
  {
    std::set<std::string> want0{plugnode1.name(), beam0.name() + " [erlang]", beam1.name() + " [erlang]"};
    std::set<std::string> want1{plugnode0.name(), beam0.name() + " [erlang]", beam1.name() + " [erlang]"};
    auto listed0 = nodes_until(plugnode0, want0, 30s);
    auto listed1 = nodes_until(plugnode1, want1, 5s);
    INFO("plugnode-0 log:\n" << plugnode0.proc().output());
    CHECK(lines(listed0) == want0);
    CHECK(lines(listed1) == want1);
  }

  // 2. BEAM side, in iex on beam-0: the plugnode pods' host names resolve through the Service's DNS and EPMD
  //    there names their `app` and its Erlang port; Node.connect to both plugnode pods is true (at once when
  //    discovery already connected them), both are connected, and plugnode-1's greeter answers a
  //    GenServer.call.
  {
    for (const auto* target : {&plugnode0, &plugnode1}) {
      auto host = target->name().substr(target->name().find('@') + 1);
      CHECK(beam0.iex(":net_adm.names('" + host + "')") ==
            "{:ok, [{'app', " + std::to_string(set.erlang_port) + "}]}");
      CHECK(beam0.iex("Node.connect(:\"" + target->name() + "\")") == "true");
    }
    auto connected = beam0.iex("Node.list(:connected)");
    CHECK_THAT(connected, Catch::Contains(":\"" + plugnode0.name() + "\"") &&
                              Catch::Contains(":\"" + plugnode1.name() + "\""));
    CHECK(beam0.iex("GenServer.call({:greeter, :\"" + plugnode1.name() + "\"}, {:greet, \"Torben\"})") ==
          "\"Hello, Torben!\"");
  }

  // 3. /cluster on plugnode-0 tells the protocols apart: the BEAM pods speak Erlang's, plugnode-1 plugnode's.
  {
    auto cluster = plugnode0.cluster();
    INFO(cluster.dump());
    for (const auto* beam : {&beam0, &beam1})
      CHECK(protocol_of(cluster, beam->name()) == "erlang");
    CHECK(protocol_of(cluster, plugnode1.name()) == "plugnode");
  }

  // 4. beam-1 stops (its pod is deleted: SIGTERM, a clean shutdown): both plugnode pods drop it from `nodes`.
  {
    beam1.proc().signal(SIGTERM);
    CHECK(beam1.proc().wait(10s).has_value());
    std::set<std::string> want0{plugnode1.name(), beam0.name() + " [erlang]"};
    std::set<std::string> want1{plugnode0.name(), beam0.name() + " [erlang]"};
    CHECK(lines(nodes_until(plugnode0, want0, 15s)) == want0);
    CHECK(lines(nodes_until(plugnode1, want1, 5s)) == want1);
  }
}
