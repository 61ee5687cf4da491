// describe: what `plugnode describe` shows operators, and what it never shows.
#include "plugnode/app/describe.hpp"

#include <catch2/catch.hpp>

using namespace plugnode::app;

namespace {
config config_with(std::map<std::string, std::string> flags) {
  return load_config(flags, [](const char*) -> std::optional<std::string> { return std::nullopt; });
}
} // namespace

TEST_CASE("describe prints the effective settings and the cookie's source, never the cookie", "[describe]") {
  auto cfg = config_with({{"PLUGNODE_NODE", "app@127.0.0.2"},
                          {"PLUGNODE_COOKIE", "very-secret-cookie"},
                          {"PLUGNODE_DISCOVERY", "k8s-srv"},
                          {"PLUGNODE_SERVICE", "app"},
                          {"PLUGNODE_DNS_SERVER", "127.0.0.1:5353"},
                          {"CHECK_URL", "http://127.0.0.1:9/health"},
                          {"HTTP_PORT", "4100"}});
  auto text = describe(cfg, "1.2.3");
  CHECK_THAT(text, Catch::Contains("app@127.0.0.2"));
  CHECK_THAT(text, Catch::Contains("1.2.3"));
  CHECK_THAT(text, Catch::Contains("0.0.0.0:4100"));
  CHECK_THAT(text, Catch::Contains("127.0.0.2:4370"));
  CHECK_THAT(text, Catch::Contains("from PLUGNODE_COOKIE"));
  CHECK_THAT(text, Catch::Contains("k8s-srv, service app.default.svc.cluster.local, port name dist"));
  CHECK_THAT(text, Catch::Contains("every 5s, at most 100 peers, DNS server 127.0.0.1:5353"));
  CHECK_THAT(text, Catch::Contains("HEAD http://127.0.0.1:9/health every 30s, first after 2s, timeout 5s"));
  CHECK_THAT(text, !Catch::Contains("very-secret-cookie"));
}

TEST_CASE("describe of a single node", "[describe]") {
  auto text = describe(config_with({}), "0.1.0");
  CHECK_THAT(text, Catch::Contains("none (single node)"));
  CHECK_THAT(text, Catch::Contains("discovery     none"));
  CHECK_THAT(text, Catch::Contains("checker       off"));
  CHECK_THAT(text, Catch::Contains("bodies        64MB held at once"));
  CHECK_THAT(text, Catch::Contains("16MB by one address"));
  CHECK_THAT(text, Catch::Contains(
                       "spooled       bodies over 1MB to unlinked files in $TMPDIR or /tmp, 1024MB on disk"));
  CHECK_THAT(text, Catch::Contains("at least 16KB/s on average"));
}

TEST_CASE("describe shows the Erlang listener and says what its handshake is", "[describe][erlang]") {
  CHECK_THAT(describe(config_with({}), "0.1.0"), Catch::Contains("erlang        off"));
  auto text = describe(
      config_with(
          {{"PLUGNODE_NODE", "app@127.0.0.2"}, {"PLUGNODE_COOKIE", "c"}, {"PLUGNODE_ERLANG_DIST", "true"}}),
      "0.1.0");
  CHECK_THAT(text,
             Catch::Contains("erlang        127.0.0.2:4371 (EPMD on port 4369 answers for app), net_ticktime "
                             "1m; MD5 handshake, clear text"));
}
