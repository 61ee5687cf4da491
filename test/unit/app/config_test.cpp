// config: the configuration table as operators use it: environment, flags winning, one-line errors.
#include "plugnode/app/config.hpp"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>

using namespace plugnode::app;
using namespace std::chrono_literals;

namespace {
env_lookup env_of(std::map<std::string, std::string> vars) {
  return [vars](const char* name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}
} // namespace

TEST_CASE("defaults: the design's table", "[config]") {
  auto cfg = load_config({}, env_of({}));
  CHECK(cfg.http_port == 4000);
  CHECK(cfg.http_addr == "0.0.0.0");
  CHECK(cfg.http_body_buffer == 64 * 1024 * 1024);
  CHECK(cfg.http_body_min_rate == 16 * 1024);
  CHECK(cfg.http_body_buffer_per_address == 0); // a quarter of the buffer
  CHECK(cfg.http_body_spool == 1024 * 1024);
  CHECK(cfg.http_body_spool_dir.empty());
  CHECK(cfg.http_body_disk == std::uint64_t{1} << 30);
  CHECK(cfg.http_loops == 0); // one per core
  CHECK(cfg.node.app() == "plugnode");
  CHECK(cfg.node == plugnode::runtime::node_name::local_default());
  CHECK(cfg.dist_port == 4370);
  CHECK_FALSE(cfg.dist_addr);
  CHECK(cfg.cookie.empty());
  CHECK(cfg.cookie_source == "none");
  CHECK(cfg.discovery.strategy == plugnode::discovery::strategy_kind::none);
  CHECK(cfg.discovery.service.name_space == "default");
  CHECK(cfg.discovery.service.port_name == "dist");
  CHECK(cfg.discovery.service.cluster_domain == "cluster.local");
  CHECK_FALSE(cfg.discovery.dns_server);
  CHECK(cfg.discovery.poll_interval == 5s);
  CHECK(cfg.discovery.max_targets == 100);
  CHECK_FALSE(cfg.tls.enabled());
  CHECK_FALSE(cfg.checker.target);
  CHECK(cfg.checker.interval == 30s);
  CHECK(cfg.checker.init_delay == 2s);
  CHECK(cfg.log.level == spdlog::level::info);
  CHECK(cfg.log.format == plugnode::runtime::log_format::text);
}

TEST_CASE("every variable is read, and flags win over it", "[config]") {
  auto env = env_of({{"HTTP_PORT", "4100"},
                     {"PLUGNODE_HTTP_ADDR", "127.0.0.1"},
                     {"PLUGNODE_HTTP_DEADLINE", "2s"},
                     {"PLUGNODE_HTTP_BODY_BUFFER", "256MB"},
                     {"PLUGNODE_HTTP_BODY_MIN_RATE", "1KB"},
                     {"PLUGNODE_HTTP_BODY_BUFFER_PER_ADDRESS", "8MB"},
                     {"PLUGNODE_HTTP_BODY_SPOOL", "256KB"},
                     {"PLUGNODE_HTTP_BODY_SPOOL_DIR", "/tmp"},
                     {"PLUGNODE_HTTP_BODY_DISK", "4GB"},
                     {"PLUGNODE_HTTP_LOOPS", "3"},
                     {"PLUGNODE_NODE", "app@app-0.app.default.svc.cluster.local"},
                     {"PLUGNODE_DIST_PORT", "9100"},
                     {"PLUGNODE_DIST_ADDR", "10.0.0.7"},
                     {"PLUGNODE_FAILURE_BOUND", "1500ms"},
                     {"PLUGNODE_COOKIE", "s3cret"},
                     {"PLUGNODE_DISCOVERY", "k8s-srv"},
                     {"PLUGNODE_SERVICE", "app"},
                     {"PLUGNODE_NAMESPACE", "prod"},
                     {"PLUGNODE_PORT_NAME", "epmd"},
                     {"PLUGNODE_CLUSTER_DOMAIN", "example.internal"},
                     {"PLUGNODE_DNS_SERVER", "127.0.0.1:5353"},
                     {"PLUGNODE_POLL_INTERVAL", "2m"},
                     {"PLUGNODE_DISCOVERY_MAX_TARGETS", "500"},
                     {"CHECK_HOST", "example.com"},
                     {"CHECK_INTERVAL", "10s"},
                     {"CHECK_INIT_DELAY", "500ms"},
                     {"CHECK_TIMEOUT", "1s"},
                     {"LOG_LEVEL", "debug"},
                     {"LOG_FORMAT", "json"}});
  auto cfg = load_config({}, env);
  CHECK(cfg.http_port == 4100);
  CHECK(cfg.http_addr == "127.0.0.1");
  CHECK(cfg.http_deadline == 2s);
  CHECK(cfg.http_body_buffer == 256 * 1024 * 1024);
  CHECK(cfg.http_body_min_rate == 1024);
  CHECK(cfg.http_body_buffer_per_address == 8 * 1024 * 1024);
  CHECK(cfg.http_body_spool == 256 * 1024);
  CHECK(cfg.http_body_spool_dir == "/tmp");
  CHECK(cfg.http_body_disk == std::uint64_t{4} << 30);
  CHECK(cfg.http_loops == 3);
  CHECK(cfg.node.to_string() == "app@app-0.app.default.svc.cluster.local");
  CHECK(cfg.dist_port == 9100);
  CHECK(cfg.dist_addr == "10.0.0.7");
  CHECK(cfg.failure_bound == 1500ms);
  CHECK(cfg.cookie == "s3cret");
  CHECK(cfg.cookie_source == "PLUGNODE_COOKIE");
  CHECK(cfg.discovery.strategy == plugnode::discovery::strategy_kind::k8s_srv);
  CHECK(cfg.discovery.service.service == "app");
  CHECK(cfg.discovery.service.name_space == "prod");
  CHECK(cfg.discovery.service.port_name == "epmd");
  CHECK(cfg.discovery.service.cluster_domain == "example.internal");
  CHECK(cfg.discovery.dns_server->address == "127.0.0.1");
  CHECK(cfg.discovery.dns_server->port == 5353);
  CHECK(cfg.discovery.poll_interval == 2min);
  CHECK(cfg.discovery.max_targets == 500);
  CHECK(cfg.checker.target->url() == "http://example.com/");
  CHECK(cfg.checker.interval == 10s);
  CHECK(cfg.checker.init_delay == 500ms);
  CHECK(cfg.checker.timeout == 1s);
  CHECK(cfg.log.level == spdlog::level::debug);
  CHECK(cfg.log.format == plugnode::runtime::log_format::json);

  config_flags flags{{"HTTP_PORT", "4200"}, {"PLUGNODE_NODE", "b@127.0.0.2"}, {"CHECK_INTERVAL", "1m"}};
  auto flagged = load_config(flags, env);
  CHECK(flagged.http_port == 4200);
  CHECK(flagged.node.to_string() == "b@127.0.0.2");
  CHECK(flagged.checker.interval == 1min);
  CHECK(flagged.dist_port == 9100);
}

TEST_CASE("static discovery takes a list of node names", "[config]") {
  auto cfg = load_config({}, env_of({{"PLUGNODE_DISCOVERY", "static"},
                                     {"PLUGNODE_STATIC_NODES", "a@127.0.0.2, b@127.0.0.3"},
                                     {"ERLANG_COOKIE", "x"}}));
  REQUIRE(cfg.discovery.static_nodes.size() == 2);
  CHECK(cfg.discovery.static_nodes[1].to_string() == "b@127.0.0.3");
  CHECK(cfg.cookie_source == "ERLANG_COOKIE");
}

TEST_CASE("the cookie comes from a file, and only its source is kept for display", "[config]") {
  char path_template[] = "/tmp/plugnode-cookie-XXXXXX";
  int fd = ::mkstemp(path_template);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::string path = path_template;
  std::ofstream(path) << "from-a-secret\n";
  auto cfg = load_config({{"PLUGNODE_COOKIE_FILE", path}}, env_of({}));
  CHECK(cfg.cookie == "from-a-secret");
  CHECK(cfg.cookie_source == "PLUGNODE_COOKIE_FILE " + path);
  std::remove(path.c_str());
}

TEST_CASE("a bad value is refused with a message naming where it came from", "[config]") {
  struct bad_case {
    std::map<std::string, std::string> env;
    std::string starts;
  };
  std::vector<bad_case> cases{
      {{{"HTTP_PORT", "abc"}}, "HTTP_PORT: 'abc'"},
      {{{"HTTP_PORT", "0"}}, "HTTP_PORT: '0'"},
      {{{"HTTP_PORT", "65536"}}, "HTTP_PORT: '65536'"},
      {{{"HTTP_PORT", ""}}, "HTTP_PORT: ''"},
      {{{"HTTP_PORT", "99999999999"}}, "HTTP_PORT: '99999999999'"},
      {{{"PLUGNODE_HTTP_ADDR", "nowhere"}}, "PLUGNODE_HTTP_ADDR: 'nowhere' is not an IP address"},
      {{{"PLUGNODE_HTTP_DEADLINE", "0ms"}}, "PLUGNODE_HTTP_DEADLINE: '0ms' must be longer than zero"},
      {{{"PLUGNODE_HTTP_BODY_BUFFER", "64"}}, "PLUGNODE_HTTP_BODY_BUFFER: '64' is not a size"},
      {{{"PLUGNODE_HTTP_BODY_BUFFER", "2048MB"}}, "PLUGNODE_HTTP_BODY_BUFFER: '2048MB' must be from 1KB"},
      {{{"PLUGNODE_HTTP_BODY_MIN_RATE", "0B"}}, "PLUGNODE_HTTP_BODY_MIN_RATE: '0B' must be from 1KB"},
      {{{"PLUGNODE_HTTP_BODY_SPOOL_DIR", "/no/such/dir"}},
       "PLUGNODE_HTTP_BODY_SPOOL_DIR: '/no/such/dir' is not an existing directory"},
      {{{"PLUGNODE_HTTP_BODY_SPOOL_DIR", "tmp"}}, "PLUGNODE_HTTP_BODY_SPOOL_DIR: 'tmp' is not an existing"},
      {{{"PLUGNODE_HTTP_BODY_DISK", "2048GB"}},
       "PLUGNODE_HTTP_BODY_DISK: '2048GB' must be from 1KB to 1024GB"},
      {{{"PLUGNODE_HTTP_LOOPS", "257"}}, "PLUGNODE_HTTP_LOOPS: '257'"},
      {{{"PLUGNODE_NODE", "no-at-sign"}}, "PLUGNODE_NODE: 'no-at-sign' is not a node name"},
      {{{"PLUGNODE_DIST_PORT", "-1"}}, "PLUGNODE_DIST_PORT"},
      {{{"PLUGNODE_DIST_ADDR", "10.0.0"}}, "PLUGNODE_DIST_ADDR"},
      {{{"PLUGNODE_FAILURE_BOUND", "3"}}, "PLUGNODE_FAILURE_BOUND: '3' is not a duration"},
      {{{"PLUGNODE_DISCOVERY", "gossip"}}, "PLUGNODE_DISCOVERY: 'gossip'"},
      {{{"PLUGNODE_DISCOVERY", "static"}, {"PLUGNODE_COOKIE", "x"}}, "PLUGNODE_STATIC_NODES: required"},
      {{{"PLUGNODE_DISCOVERY", "static"}, {"PLUGNODE_STATIC_NODES", "a@h"}}, "no cookie"},
      {{{"PLUGNODE_STATIC_NODES", "a@h,@b"}}, "PLUGNODE_STATIC_NODES"},
      {{{"PLUGNODE_DISCOVERY", "k8s-srv"}, {"PLUGNODE_COOKIE", "x"}}, "PLUGNODE_SERVICE: required"},
      {{{"PLUGNODE_SERVICE", "My_Service"}}, "PLUGNODE_SERVICE: 'My_Service' is not a DNS label"},
      {{{"PLUGNODE_NAMESPACE", "a.b"}}, "PLUGNODE_NAMESPACE"},
      {{{"PLUGNODE_CLUSTER_DOMAIN", "-bad"}}, "PLUGNODE_CLUSTER_DOMAIN"},
      {{{"PLUGNODE_DNS_SERVER", "1.2.3.4:99999"}}, "PLUGNODE_DNS_SERVER"},
      {{{"PLUGNODE_POLL_INTERVAL", "0s"}}, "PLUGNODE_POLL_INTERVAL: '0s' must be longer than zero"},
      {{{"PLUGNODE_DISCOVERY_MAX_TARGETS", "0"}},
       "PLUGNODE_DISCOVERY_MAX_TARGETS: '0' is not a whole number"},
      {{{"PLUGNODE_DISCOVERY_MAX_TARGETS", "10001"}}, "PLUGNODE_DISCOVERY_MAX_TARGETS: '10001'"},
      {{{"PLUGNODE_DISCOVERY_MAX_TARGETS", "many"}}, "PLUGNODE_DISCOVERY_MAX_TARGETS: 'many'"},
      {{{"PLUGNODE_COOKIE", "a"}, {"PLUGNODE_COOKIE_FILE", "/etc/hostname"}}, "PLUGNODE_COOKIE and"},
      {{{"PLUGNODE_COOKIE_FILE", "/nonexistent/cookie"}}, "PLUGNODE_COOKIE_FILE: cannot read"},
      {{{"PLUGNODE_TLS_CERT", "/nonexistent.pem"}}, "TLS needs PLUGNODE_TLS_CERT, PLUGNODE_TLS_KEY and"},
      {{{"CHECK_HOST", "a b"}}, "CHECK_HOST: 'a b'"},
      {{{"CHECK_URL", "ftp://x/"}}, "CHECK_URL: 'ftp://x/'"},
      {{{"CHECK_HOST", "x"}, {"CHECK_URL", "http://x/"}}, "CHECK_HOST and CHECK_URL"},
      {{{"CHECK_INTERVAL", "soon"}}, "CHECK_INTERVAL: 'soon'"},
      {{{"CHECK_INIT_DELAY", "5 s"}}, "CHECK_INIT_DELAY"},
      {{{"CHECK_TIMEOUT", "1d"}}, "CHECK_TIMEOUT"},
      {{{"LOG_LEVEL", "loud"}}, "LOG_LEVEL: 'loud'"},
      {{{"LOG_FORMAT", "xml"}}, "LOG_FORMAT: 'xml'"},
  };
  for (const auto& c : cases) {
    INFO(c.starts);
    CHECK_THROWS_WITH(load_config({}, env_of(c.env)), Catch::StartsWith(c.starts));
  }
}

TEST_CASE("a bad flag is blamed on the flag, not on the variable", "[config]") {
  for (const auto& s : settings()) {
    std::string env = s.env;
    if (env == "PLUGNODE_COOKIE" || env == "ERLANG_COOKIE" || env == "PLUGNODE_COOKIE_FILE" ||
        env.rfind("PLUGNODE_TLS", 0) == 0)
      continue; // their messages come from the runtime layer's checks, naming the variable
    INFO(env);
    CHECK_THROWS_WITH(load_config({{env, "#bad value#"}}, env_of({})),
                      Catch::StartsWith(std::string(s.flag)));
  }
}

TEST_CASE("every setting has a flag and a help line", "[config]") {
  for (const auto& s : settings()) {
    INFO(s.env);
    CHECK(std::string(s.flag).rfind("--", 0) == 0);
    CHECK_FALSE(std::string(s.help).empty());
  }
  CHECK(settings().size() >= 26);
}

TEST_CASE("the Erlang listener: off by default, on with a cookie, its values checked", "[config][erlang]") {
  auto off = load_config({}, env_of({}));
  CHECK_FALSE(off.erlang.enabled);
  CHECK(off.erlang.port == 4371);
  CHECK(off.erlang.ticktime == 60s);
  CHECK(off.erlang.epmd_port == 4369);
  auto on = load_config({{"PLUGNODE_ERLANG_TICKTIME", "10s"}}, env_of({{"PLUGNODE_ERLANG_DIST", "true"},
                                                                       {"PLUGNODE_COOKIE", "c"},
                                                                       {"PLUGNODE_ERLANG_DIST_PORT", "4500"},
                                                                       {"ERL_EPMD_PORT", "4400"}}));
  CHECK(on.erlang.enabled);
  CHECK(on.erlang.port == 4500);
  CHECK(on.erlang.ticktime == 10s);
  CHECK(on.erlang.epmd_port == 4400);
  CHECK_THROWS_WITH(load_config({}, env_of({{"PLUGNODE_ERLANG_DIST", "maybe"}})),
                    "PLUGNODE_ERLANG_DIST: 'maybe' is not true or false");
  CHECK_THROWS_WITH(load_config({}, env_of({{"PLUGNODE_ERLANG_DIST", "on"}})),
                    Catch::StartsWith("PLUGNODE_ERLANG_DIST: needs a cookie"));
  CHECK_THROWS_WITH(load_config({{"PLUGNODE_ERLANG_DIST_PORT", "4370"}},
                                env_of({{"PLUGNODE_ERLANG_DIST", "1"}, {"PLUGNODE_COOKIE", "c"}})),
                    Catch::StartsWith("PLUGNODE_ERLANG_DIST_PORT: 4370 is the distribution port too"));
  CHECK_THROWS_WITH(load_config({}, env_of({{"PLUGNODE_ERLANG_DIST", "yes"},
                                            {"PLUGNODE_COOKIE", "c"},
                                            {"PLUGNODE_ERLANG_TICKTIME", "500ms"}})),
                    Catch::StartsWith("PLUGNODE_ERLANG_TICKTIME: '500ms' is shorter"));
}

TEST_CASE("the admin listener: off by default, a token off loopback, /cluster and /status where asked",
          "[config]") {
  auto defaults = load_config({}, env_of({}));
  CHECK_FALSE(defaults.admin.port);
  CHECK(defaults.admin.addr == "127.0.0.1");
  CHECK(defaults.admin.routes == operator_routes::public_port);

  auto on = load_config({}, env_of({{"PLUGNODE_ADMIN_PORT", "4001"}, {"PLUGNODE_OPERATOR_ROUTES", "admin"}}));
  CHECK(on.admin.port == 4001);
  CHECK(on.admin.routes == operator_routes::admin);
  auto anywhere = load_config(
      {{"PLUGNODE_ADMIN_ADDR", "0.0.0.0"}},
      env_of({{"PLUGNODE_ADMIN_PORT", "4001"}, {"PLUGNODE_ADMIN_TOKEN", "a-token-of-reasonable-length"}}));
  CHECK(anywhere.admin.addr == "0.0.0.0");
  CHECK(anywhere.admin.token == "a-token-of-reasonable-length");

  CHECK_THROWS_WITH(
      load_config({}, env_of({{"PLUGNODE_ADMIN_PORT", "4001"}, {"PLUGNODE_ADMIN_ADDR", "10.0.0.7"}})),
      "PLUGNODE_ADMIN_TOKEN: required when the admin listener is bound off loopback "
      "(PLUGNODE_ADMIN_ADDR 10.0.0.7)");
  CHECK_THROWS_WITH(
      load_config({}, env_of({{"PLUGNODE_ADMIN_PORT", "4001"}, {"PLUGNODE_ADMIN_TOKEN", "short"}})),
      "PLUGNODE_ADMIN_TOKEN: shorter than 16 characters");
  CHECK_THROWS_WITH(load_config({}, env_of({{"PLUGNODE_OPERATOR_ROUTES", "admin"}})),
                    "PLUGNODE_OPERATOR_ROUTES: admin needs the admin listener (PLUGNODE_ADMIN_PORT)");
  CHECK_THROWS_WITH(load_config({}, env_of({{"PLUGNODE_OPERATOR_ROUTES", "private"}})),
                    "PLUGNODE_OPERATOR_ROUTES: 'private' is not public or admin");
  CHECK_THROWS_WITH(load_config({}, env_of({{"PLUGNODE_ADMIN_PORT", "4000"}})),
                    "PLUGNODE_ADMIN_PORT: 4000 is the HTTP port too (HTTP_PORT)");
  CHECK(loopback_address("127.0.0.1"));
  CHECK(loopback_address("127.3.4.5"));
  CHECK(loopback_address("::1"));
  CHECK_FALSE(loopback_address("0.0.0.0"));
  CHECK_FALSE(loopback_address("::"));
}
