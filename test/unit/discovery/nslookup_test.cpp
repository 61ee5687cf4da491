// The remote shell's nslookup output, against dnsmasq.
#include "plugnode/discovery/nslookup.hpp"

#include <catch2/catch.hpp>

#include "dns_servers.hpp"

using namespace plugnode::discovery;
using plugnode::test::dnsmasq_server;

namespace {
const std::string svc = "app.default.svc.cluster.local";
}

TEST_CASE("nslookup NAME srv prints the answer and additional sections as dig does", "[nslookup]") {
  dnsmasq_server dns({{{"_dist._tcp." + svc, "app-0." + svc, 4370}}, {{"app-0." + svc, "127.0.0.2"}}});
  dns_client client(dns.resolver());
  auto text = nslookup(client, "_dist._tcp." + svc, lookup_type::srv);
  CHECK(text == ";; ANSWER SECTION:\n"
                "_dist._tcp.app.default.svc.cluster.local.      0 IN SRV   0 10 4370 "
                "app-0.app.default.svc.cluster.local.\n"
                "\n;; ADDITIONAL SECTION:\n"
                "app-0.app.default.svc.cluster.local.          0 IN A     127.0.0.2\n");
}

TEST_CASE("nslookup NAME a: A records through the search list, errors on one line", "[nslookup]") {
  dnsmasq_server dns({{}, {{"app-0." + svc, "127.0.0.2"}}});
  dns_client client(dns.resolver({"default.svc.cluster.local"}, 5));
  CHECK(nslookup(client, "app-0.app", lookup_type::a) ==
        ";; ANSWER SECTION:\napp-0.app.default.svc.cluster.local.          0 IN A     127.0.0.2\n");
  auto missing = nslookup(client, "app-1." + svc + ".", lookup_type::a);
  CHECK(missing ==
        ";; app-1.app.default.svc.cluster.local. A: NXDOMAIN: A app-1.app.default.svc.cluster.local.: "
        "no such name\n");
}

TEST_CASE("record types the shell accepts", "[nslookup]") {
  CHECK(parse_lookup_type("") == lookup_type::a);
  CHECK(parse_lookup_type("SRV") == lookup_type::srv);
  CHECK(parse_lookup_type("aaaa") == lookup_type::aaaa);
  CHECK_FALSE(parse_lookup_type("mx"));
}
