// The discovery actor end to end against a real dnsmasq: a recording actor stands in for the node agent,
// speaking agent_protocol.hpp, so each test sees exactly which connects and disconnects discovery asked for.
#include "plugnode/discovery/discovery_actor.hpp"

#include <algorithm>
#include <map>
#include <set>

#include <caf/all.hpp>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "dns_servers.hpp"
#include "plugnode/discovery/discovery_protocol.hpp"
#include "plugnode/runtime/agent_protocol.hpp"

using namespace plugnode::discovery;
using namespace std::chrono_literals;
using plugnode::runtime::node_name;
using plugnode::test::dns_zone;
using plugnode::test::dnsmasq_server;
using plugnode::test::eventually;

namespace {

namespace rt = plugnode::runtime;
using log_atom = caf::atom_constant<caf::atom("log")>;
constexpr log_atom log_atom_v{};
using refuse_atom = caf::atom_constant<caf::atom("refuse")>;
constexpr refuse_atom refuse_atom_v{};
using down_atom = caf::atom_constant<caf::atom("down")>;
constexpr down_atom down_atom_v{};
using target_atom = caf::atom_constant<caf::atom("target")>;
constexpr target_atom target_atom_v{};

const std::string svc = "app.default.svc.cluster.local";

std::string pod(int i) {
  return "app-" + std::to_string(i) + "." + svc;
}

std::string node_of(int i) {
  return "plugnode@" + pod(i);
}

dns_zone pods(std::initializer_list<int> ids) {
  dns_zone zone;
  for (int i : ids) {
    zone.srv.push_back({"_dist._tcp." + svc, pod(i), 4370});
    zone.hosts.push_back({pod(i), "127.0.0." + std::to_string(i + 2)});
  }
  return zone;
}

struct recording_agent_state {
  std::vector<std::string> log;                      // "connect X" / "disconnect X", in order
  std::map<std::string, rt::connect_target> targets; // the last connect request for each node
  std::set<std::string> connected;
  std::set<std::string> refuse; // connects to these fail once
  caf::actor subscriber;
};

// The node agent's protocol, recorded; connects succeed unless refused (`refuse`: the first connect to each).
caf::behavior recording_agent(caf::stateful_actor<recording_agent_state>* self,
                              std::set<std::string> refuse) {
  self->state.refuse = std::move(refuse);
  return {
      [=](caf::connect_atom, const rt::connect_target& target) {
        auto node = target.node.to_string();
        self->state.targets[node] = target;
        self->state.log.push_back("connect " + node);
        if (self->state.refuse.erase(node) > 0)
          return false;
        self->state.connected.insert(node);
        return true;
      },
      [=](rt::disconnect_atom, const std::string& node) {
        self->state.log.push_back("disconnect " + node);
        return self->state.connected.erase(node) > 0;
      },
      [=](rt::nodes_atom) {
        return std::vector<std::string>(self->state.connected.begin(), self->state.connected.end());
      },
      [=](rt::monitor_nodes_atom, caf::actor who) { self->state.subscriber = std::move(who); },
      [=](log_atom) { return self->state.log; },
      [=](target_atom, const std::string& node) {
        auto& t = self->state.targets[node];
        return std::to_string(t.port) + " " + (t.addresses.empty() ? std::string("-") : t.addresses.front());
      },
      [=](refuse_atom, const std::string& node) { self->state.refuse.insert(node); },
      // The test makes the agent report a connection lost, as the real one does on nodedown.
      [=](down_atom, const std::string& node) {
        self->state.connected.erase(node);
        self->send(self->state.subscriber, rt::nodedown_atom_v, node, std::string("connection_closed"));
      },
  };
}

double metric(prometheus::Registry& registry, const std::string& name) {
  for (const auto& family : registry.Collect())
    if (family.name == name && !family.metric.empty())
      return family.type == prometheus::MetricType::Counter ? family.metric[0].counter.value
                                                            : family.metric[0].gauge.value;
  return -1;
}

// One discovery actor, its recording agent and a dnsmasq, with fast polling so the tests run quickly.
struct fixture {
  explicit fixture(dns_zone zone, strategy_kind kind = strategy_kind::k8s_srv,
                   poll_settings poll = {50ms, 200ms, 0.2, 3}, const std::vector<std::string>& refuse = {})
      : dns(std::move(zone)), system(config), self(system) {
    agent = system.spawn(recording_agent, std::set<std::string>(refuse.begin(), refuse.end()));
    discovery_config dc{*node_name::parse(node_of(0)), {}, dns.resolver(), poll, 1s};
    dc.strategy.kind = kind;
    dc.strategy.service = {"app", "default", "dist", "cluster.local"};
    dc.strategy.app = "plugnode";
    discovery = spawn_discovery(system, dc, agent, registry);
  }
  ~fixture() {
    caf::anon_send_exit(discovery, caf::exit_reason::user_shutdown);
    caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
  }

  template <class T, class... Ts> T ask(const caf::actor& who, Ts... xs) {
    T out{};
    self->request(who, 10s, xs...)
        .receive([&](const T& value) { out = value; }, [&](const caf::error& e) { FAIL(system.render(e)); });
    return out;
  }
  std::vector<std::string> log() { return ask<std::vector<std::string>>(agent, log_atom_v); }
  std::size_t count(const std::string& line) {
    auto l = log();
    return static_cast<std::size_t>(std::count(l.begin(), l.end(), line));
  }
  nlohmann::json cluster() { return nlohmann::json::parse(ask<std::string>(discovery, cluster_atom_v)); }
  std::vector<std::string> peers() {
    std::vector<std::string> out;
    auto json = cluster();
    for (const auto& p : json["peers"])
      out.push_back(p["node"].get<std::string>());
    return out;
  }

  dnsmasq_server dns;
  prometheus::Registry registry;
  caf::actor_system_config config;
  caf::actor_system system;
  caf::scoped_actor self;
  caf::actor agent;
  caf::actor discovery;
};

} // namespace

TEST_CASE("start-up: the first answer connects every peer within a second, never self", "[discovery_actor]") {
  auto start = std::chrono::steady_clock::now();
  fixture f(pods({0, 1, 2}), strategy_kind::k8s_srv, {100ms, 60s, 0.2, 3});
  REQUIRE(eventually([&] { return f.log().size() == 2; }, 2s));
  CHECK(std::chrono::steady_clock::now() - start < 1s);
  auto log = f.log();
  std::sort(log.begin(), log.end());
  CHECK(log == std::vector<std::string>{"connect " + node_of(1), "connect " + node_of(2)});
  CHECK(f.ask<bool>(f.discovery, ready_atom_v));
  CHECK(f.peers() == std::vector<std::string>{node_of(1), node_of(2)});
  CHECK(eventually([&] { return f.cluster()["peers"][1]["link"] == "up"; }, 2s));
  CHECK(f.cluster()["peers"][0]["addresses"] == nlohmann::json{"127.0.0.3"});
  CHECK(metric(f.registry, "plugnode_discovery_polls_total") >= 1);
  CHECK(metric(f.registry, "plugnode_discovery_errors_total") == 0);
  CHECK(metric(f.registry, "plugnode_discovery_discovered_nodes") == 2);
  CHECK(metric(f.registry, "plugnode_discovery_connected_nodes") == 2);
}

TEST_CASE("a connect carries the SRV answer's port and the target's address, not just the name",
          "[discovery_actor]") {
  dns_zone zone;
  zone.srv.push_back({"_dist._tcp." + svc, pod(1), 4444});
  zone.hosts.push_back({pod(1), "127.0.0.3"});
  fixture f(zone);
  REQUIRE(eventually([&] { return f.count("connect " + node_of(1)) == 1; }, 2s));
  CHECK(f.ask<std::string>(f.agent, target_atom_v, node_of(1)) == "4444 127.0.0.3");
}

TEST_CASE("a pod appearing is connected, one disappearing is dropped after K answers", "[discovery_actor]") {
  fixture f(pods({0, 1}));
  REQUIRE(eventually([&] { return f.count("connect " + node_of(1)) == 1; }, 2s));
  f.dns.restart(pods({0, 1, 2}));
  REQUIRE(eventually([&] { return f.count("connect " + node_of(2)) == 1; }, 3s));
  CHECK(eventually([&] { return metric(f.registry, "plugnode_discovery_connected_nodes") == 2; }, 2s));

  f.dns.restart(pods({0, 1}));
  // Missing from one or two answers is not enough: it stays, marked missing.
  REQUIRE(eventually([&] { return f.cluster()["peers"][1]["missing"] >= 1; }, 3s));
  CHECK(f.count("disconnect " + node_of(2)) == 0);
  REQUIRE(eventually([&] { return f.count("disconnect " + node_of(2)) == 1; }, 3s));
  CHECK(f.peers() == std::vector<std::string>{node_of(1)});
  CHECK(f.count("disconnect " + node_of(1)) == 0);
  CHECK(metric(f.registry, "plugnode_discovery_discovered_nodes") == 1);
}

TEST_CASE("the nameserver down then back: cluster kept, nothing dropped, recovery by itself",
          "[discovery_actor]") {
  fixture f(pods({0, 1, 2}));
  REQUIRE(eventually([&] { return f.log().size() == 2; }, 2s));
  f.dns.stop();
  REQUIRE(eventually([&] { return metric(f.registry, "plugnode_discovery_errors_total") >= 4; }, 10s));
  CHECK(f.log().size() == 2); // no disconnect, however many failed lookups
  auto during = f.cluster();
  CHECK(during["peers"].size() == 2);
  CHECK(during["ready"] == true);
  CHECK_THAT(during["last_error"].get<std::string>(), Catch::Contains("timeout"));
  CHECK(metric(f.registry, "plugnode_discovery_connected_nodes") == 2);

  // Back, with a pod that started during the outage: found with no restart of anything on our side.
  f.dns.restart(pods({0, 1, 2, 3}));
  REQUIRE(eventually([&] { return f.count("connect " + node_of(3)) == 1; }, 5s));
  CHECK(f.count("disconnect " + node_of(1)) == 0);
  CHECK(f.peers().size() == 3);
}

TEST_CASE("lookup errors from the start: not ready, nothing connected, then the first answer",
          "[discovery_actor]") {
  fixture f(dns_zone{});
  REQUIRE(eventually([&] { return metric(f.registry, "plugnode_discovery_errors_total") >= 2; }, 3s));
  CHECK_FALSE(f.ask<bool>(f.discovery, ready_atom_v));
  CHECK_THAT(f.cluster()["last_error"].get<std::string>(), Catch::Contains("NXDOMAIN"));
  f.dns.restart(pods({0, 1}));
  REQUIRE(eventually([&] { return f.ask<bool>(f.discovery, ready_atom_v); }, 3s));
  CHECK(eventually([&] { return f.count("connect " + node_of(1)) == 1; }, 2s));
}

TEST_CASE("discover now: polls at once and replies with the new answer", "[discovery_actor]") {
  dns_zone zone{{}, {{svc, "127.0.0.2"}}};
  fixture f(zone, strategy_kind::k8s_a, {50ms, 60s, 0.2, 3});
  REQUIRE(eventually([&] { return f.log().size() == 1; }, 2s));
  CHECK(f.log() == std::vector<std::string>{"connect plugnode@127.0.0.2"});
  f.dns.set_live_hosts({{svc, "127.0.0.3"}});
  REQUIRE(eventually(
      [&] {
        auto reply = nlohmann::json::parse(f.ask<std::string>(f.discovery, discover_atom_v));
        return reply["peers"].size() == 2;
      },
      5s));
  CHECK(eventually([&] { return f.count("connect plugnode@127.0.0.3") == 1; }, 2s));
}

TEST_CASE("a refused connect is asked again, and so is one lost to a nodedown", "[discovery_actor]") {
  fixture f(pods({0, 1}), strategy_kind::k8s_srv, {50ms, 200ms, 0.2, 3});
  REQUIRE(eventually([&] { return f.count("connect " + node_of(1)) == 1; }, 2s));
  f.self->send(f.agent, refuse_atom_v, node_of(1));
  f.self->send(f.agent, down_atom_v, node_of(1));
  // Next answer: connect again (refused), the one after: connect again (accepted).
  REQUIRE(eventually([&] { return f.count("connect " + node_of(1)) == 3; }, 3s));
  CHECK(eventually([&] { return metric(f.registry, "plugnode_discovery_connected_nodes") == 1; }, 2s));
  CHECK(f.count("disconnect " + node_of(1)) == 0);
}

TEST_CASE("a peer not listening yet is asked again within a second, not after the interval",
          "[discovery_actor]") {
  auto start = std::chrono::steady_clock::now();
  fixture f(pods({0, 1}), strategy_kind::k8s_srv, {100ms, 60s, 0.2, 3}, {node_of(1)});
  REQUIRE(eventually([&] { return f.count("connect " + node_of(1)) == 2; }, 3s));
  CHECK(std::chrono::steady_clock::now() - start < 1500ms);
  CHECK(eventually([&] { return metric(f.registry, "plugnode_discovery_connected_nodes") == 1; }, 2s));
}

TEST_CASE("static: the configured nodes, self skipped", "[discovery_actor]") {
  dnsmasq_server unused({});
  caf::actor_system_config config;
  caf::actor_system system(config);
  prometheus::Registry registry;
  auto agent = system.spawn(recording_agent, std::set<std::string>{});
  discovery_config dc{*node_name::parse("a@127.0.0.1"), {}, unused.resolver(), {}, 1s};
  dc.strategy.kind = strategy_kind::static_list;
  dc.strategy.static_nodes = *parse_static_nodes("a@127.0.0.1,b@127.0.0.2");
  auto discovery = spawn_discovery(system, dc, agent, registry);
  caf::scoped_actor self(system);
  CHECK(eventually(
      [&] {
        std::vector<std::string> log;
        self->request(agent, 5s, log_atom_v)
            .receive([&](const std::vector<std::string>& l) { log = l; }, [](const caf::error&) {});
        return log == std::vector<std::string>{"connect b@127.0.0.2"};
      },
      2s));
  caf::anon_send_exit(discovery, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(agent, caf::exit_reason::user_shutdown);
}

TEST_CASE("nslookup through the actor, off the scheduler threads", "[discovery_actor]") {
  fixture f(pods({0, 1}));
  auto text = f.ask<std::string>(f.discovery, nslookup_atom_v, "_dist._tcp." + svc, std::string("srv"));
  CHECK_THAT(text, Catch::Contains("IN SRV   0 10 4370 app-1.app.default.svc.cluster.local."));
  CHECK_THAT(text, Catch::Contains("app-1.app.default.svc.cluster.local.          0 IN A     127.0.0.3"));
  CHECK(f.ask<std::string>(f.discovery, nslookup_atom_v, pod(0), std::string("mx")) ==
        ";; unknown record type 'mx' (srv, a or aaaa)\n");
}
