// resolv.conf parsing and PLUGNODE_DNS_SERVER.
#include "plugnode/discovery/resolver_config.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>

using namespace plugnode::discovery;

TEST_CASE("a pod's resolv.conf: nameserver, search list, ndots", "[resolver_config]") {
  auto config = parse_resolv_conf("nameserver 10.96.0.10\n"
                                  "search default.svc.cluster.local svc.cluster.local cluster.local\n"
                                  "options ndots:5 timeout:2 attempts:3\n");
  REQUIRE(config.nameservers.size() == 1);
  CHECK(config.nameservers[0] == nameserver{"10.96.0.10", 53});
  CHECK(config.search ==
        std::vector<std::string>{"default.svc.cluster.local", "svc.cluster.local", "cluster.local"});
  CHECK(config.ndots == 5);
  CHECK(config.timeout == std::chrono::seconds(2));
  CHECK(config.attempts == 3);
}

TEST_CASE("resolv.conf: comments, unknown lines, the last search line wins, defaults kept",
          "[resolver_config]") {
  auto config = parse_resolv_conf("# generated\n"
                                  "domain example.org\n"
                                  "search a.example b.example ; trailing comment\n"
                                  "nameserver not-an-address\n"
                                  "nameserver ::1\n"
                                  "sortlist 10.0.0.0\n"
                                  "options rotate ndots:x\n");
  CHECK(config.search == std::vector<std::string>{"a.example", "b.example"});
  REQUIRE(config.nameservers.size() == 1);
  CHECK(config.nameservers[0].to_string() == "[::1]:53");
  CHECK(config.ndots == 1);
  CHECK(config.timeout == std::chrono::milliseconds(1000));
  CHECK(config.attempts == 2);
}

TEST_CASE("load_resolv_conf reads a file and names one it cannot read", "[resolver_config]") {
  CHECK(load_resolv_conf("/etc/resolv.conf").has_value() == (access("/etc/resolv.conf", R_OK) == 0));
  std::string error;
  CHECK_FALSE(load_resolv_conf("/nonexistent/resolv.conf", &error));
  CHECK(error == "cannot read /nonexistent/resolv.conf");
}

TEST_CASE("PLUGNODE_DNS_SERVER: host[:port]", "[resolver_config]") {
  CHECK(parse_nameserver("127.0.0.1:5353") == nameserver{"127.0.0.1", 5353});
  CHECK(parse_nameserver("127.0.0.1") == nameserver{"127.0.0.1", 53});
  CHECK(parse_nameserver("[::1]:5353") == nameserver{"::1", 5353});
  CHECK(parse_nameserver("::1") == nameserver{"::1", 53});
  auto named = parse_nameserver("localhost:5353"); // from /etc/hosts: no query leaves the machine
  REQUIRE(named);
  CHECK((named->address == "127.0.0.1" || named->address == "::1"));
  CHECK(named->port == 5353);

  std::string error;
  CHECK_FALSE(parse_nameserver("127.0.0.1:0", &error));
  CHECK(error == "invalid DNS server '127.0.0.1:0': port must be 1-65535");
  CHECK_FALSE(parse_nameserver("127.0.0.1:99999", &error));
  CHECK_FALSE(parse_nameserver("127.0.0.1:", &error));
  CHECK_FALSE(parse_nameserver(":53", &error));
  CHECK(error == "invalid DNS server ':53': expected host[:port]");
  CHECK_FALSE(parse_nameserver("[::1", &error));
}
