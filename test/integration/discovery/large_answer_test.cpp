// A real dnsmasq answering the SRV query with 500 targets, to a real `plugnode foreground` node: discovery
// takes PLUGNODE_DISCOVERY_MAX_TARGETS of them (by name), says once which it left out, and dials only those.

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <fmt/format.h>

#include <set>
#include <thread>

#include "dns_servers.hpp"
#include "plugnode/test/http_get.hpp"
#include "plugnode/test/ports.hpp"
#include "plugnode/test/process.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

std::size_t count_of(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

} // namespace

TEST_CASE("a 500-target SRV answer: the first 20 by name are dialled, the rest logged once as left out",
          "[discovery][hostile]") {
  const std::string svc = "app.default.svc.cluster.local";
  dns_zone zone;
  // Short targets and no address records: dnsmasq writes compression pointers past 16 KB into a message
  // that long (500 targets with their A records came back unparsable, to dig as to ldns). The targets have
  // no addresses, so every dial fails at once.
  for (int i = 0; i < 500; ++i)
    zone.srv.push_back({"_dist._tcp." + svc, fmt::format("a{:03}.{}", i, svc), 4370});
  dnsmasq_server dns(zone);
  auto http = free_port("127.0.0.2");
  process node({plugnode_binary(), "foreground"},
               {{"PLUGNODE_NODE", "plugnode@127.0.0.2"},
                {"PLUGNODE_DIST_PORT", std::to_string(free_port("127.0.0.2"))},
                {"PLUGNODE_COOKIE", "discovery-test-cookie"},
                {"PLUGNODE_DISCOVERY", "k8s-srv"},
                {"PLUGNODE_SERVICE", "app"},
                {"PLUGNODE_DNS_SERVER", dns.address().to_string()},
                {"PLUGNODE_POLL_INTERVAL", "1s"},
                {"PLUGNODE_DISCOVERY_MAX_TARGETS", "20"},
                {"HTTP_PORT", std::to_string(http)},
                {"PLUGNODE_HTTP_ADDR", "127.0.0.2"}});
  auto members = [&] {
    auto body = ok_body("127.0.0.2", http, "/cluster");
    if (!body)
      return nlohmann::json::array();
    auto doc = nlohmann::json::parse(*body, nullptr, false);
    return doc.contains("discovery") ? doc["discovery"]["peers"] : nlohmann::json::array();
  };
  REQUIRE(eventually([&] { return members().size() == 20; }, 15s));
  // Three more polls of the same answer: the left-out line is not repeated.
  std::this_thread::sleep_for(3500ms);
  auto log = node.output();
  INFO(log.substr(0, 4000));
  CHECK(members().size() == 20);
  CHECK(count_of(log,
                 "discovery: the answer named 500 peers; took 20 (PLUGNODE_DISCOVERY_MAX_TARGETS), left out "
                 "480: plugnode@a020." +
                     svc) == 1);
  // Only the 20 taken were ever dialled.
  std::set<std::string> dialled;
  const std::string connecting = "discovery: connecting ";
  for (auto at = log.find(connecting); at != std::string::npos; at = log.find(connecting, at + 1)) {
    auto name = at + connecting.size();
    dialled.insert(log.substr(name, log.find('\n', name) - name));
  }
  CHECK(dialled.size() == 20);
  CHECK(dialled.count(fmt::format("plugnode@a019.{}", svc)) == 1);
  CHECK(dialled.count(fmt::format("plugnode@a020.{}", svc)) == 0);
  CHECK(node.running());
}
