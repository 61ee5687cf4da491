// The node agent's host resolver through discovery's DNS server.
#include "plugnode/discovery/dns_host_resolver.hpp"

#include <catch2/catch.hpp>

#include "dns_servers.hpp"

using namespace plugnode::discovery;

TEST_CASE("the node agent's host resolver asks discovery's DNS server, search list included",
          "[dns_host_resolver]") {
  plugnode::test::dnsmasq_server dns({{}, {{"app-0.app.default.svc.cluster.local", "127.0.0.2"}}});
  auto resolve = dns_host_resolver(dns.resolver({"default.svc.cluster.local"}, 5));
  auto found = resolve("app-0.app");
  CHECK(found.error.empty());
  CHECK(found.addresses == std::vector<std::string>{"127.0.0.2"});
  CHECK(resolve("127.0.0.9").addresses == std::vector<std::string>{"127.0.0.9"});
  auto missing = resolve("app-1.app.default.svc.cluster.local.");
  CHECK(missing.addresses.empty());
  CHECK(missing.error == "NXDOMAIN: A app-1.app.default.svc.cluster.local.: no such name");
}
