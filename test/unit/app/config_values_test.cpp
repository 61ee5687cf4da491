// config_values: the value kinds of the configuration (ports, durations, addresses, check URLs).
#include "plugnode/app/config_values.hpp"

#include <catch2/catch.hpp>

using namespace plugnode::app;
using namespace std::chrono_literals;

TEST_CASE("durations carry a unit", "[config_values]") {
  CHECK(parse_duration("500ms", "X") == 500ms);
  CHECK(parse_duration("5s", "X") == 5s);
  CHECK(parse_duration("2m", "X") == 2min);
  CHECK(parse_duration("1h", "X") == 1h);
  for (std::string bad : {"5", "s", "", "-5s", "5 s", "1.5s", "5S", "1d", "9999999999s"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_duration(bad, "CHECK_INTERVAL"),
                      Catch::StartsWith("CHECK_INTERVAL: '" + bad + "'"));
  }
  CHECK_THROWS_WITH(parse_duration("0ms", "X"), "X: '0ms' must be longer than zero");
}

TEST_CASE("sizes carry a unit and print the way they are read", "[config_values]") {
  CHECK(parse_bytes("1MB", "X") == 1024 * 1024);
  CHECK(parse_bytes("64KB", "X") == 64 * 1024);
  CHECK(parse_bytes("4096B", "X") == 4096);
  for (std::string bad : {"1024", "MB", "", "-1MB", "1 MB", "1.5MB", "1mb", "1gb", "9999999999KB"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_bytes(bad, "PLUGNODE_DIST_BUFFER"),
                      Catch::StartsWith("PLUGNODE_DIST_BUFFER: '" + bad + "'"));
  }
  CHECK_THROWS_WITH(parse_bytes("512B", "X"), "X: '512B' must be from 1KB to 1024MB");
  CHECK_THROWS_WITH(parse_bytes("2048MB", "X"), "X: '2048MB' must be from 1KB to 1024MB");
  CHECK(format_bytes(1024 * 1024) == "1MB");
  CHECK(format_bytes(96 * 1024) == "96KB");
  CHECK(format_bytes(1500) == "1500B");
  CHECK(parse_bytes(format_bytes(1500), "X") == 1500);
  // Past 1024MB only where a setting allows it (the spool's disk budget).
  CHECK(parse_bytes("1GB", "X") == std::uint64_t{1} << 30);
  CHECK_THROWS_WITH(parse_bytes("2GB", "X"), "X: '2GB' must be from 1KB to 1024MB");
  CHECK(parse_bytes_up_to("4GB", "X", std::uint64_t{1} << 40) == std::uint64_t{4} << 30);
  CHECK(format_bytes(std::uint64_t{4} << 30) == "4GB");
  CHECK_THROWS_WITH(parse_bytes_up_to("2048GB", "X", std::uint64_t{1} << 40),
                    "X: '2048GB' must be from 1KB to 1024GB");
}

TEST_CASE("durations print the way they are read", "[config_values]") {
  for (auto d : {1500ms, 5000ms, 120000ms, 3600000ms, 7ms}) {
    INFO(d.count());
    CHECK(parse_duration(format_duration(d), "X") == d);
  }
  CHECK(format_duration(30s) == "30s");
  CHECK(format_duration(1500ms) == "1500ms");
}

TEST_CASE("ports are 1-65535", "[config_values]") {
  CHECK(parse_port("1", "P") == 1);
  CHECK(parse_port("65535", "P") == 65535);
  CHECK_THROWS_WITH(parse_port("65536", "P"), "P: '65536' is not a port number (1-65535)");
  CHECK_THROWS(parse_port("+80", "P"));
}

TEST_CASE("IP addresses, v4 and v6", "[config_values]") {
  CHECK(parse_ip_address("127.0.0.2", "A") == "127.0.0.2");
  CHECK(parse_ip_address("::1", "A") == "::1");
  CHECK_THROWS_WITH(parse_ip_address("localhost", "A"), "A: 'localhost' is not an IP address");
}

TEST_CASE("check targets: CHECK_HOST and CHECK_URL", "[config_values]") {
  auto host = parse_http_host("example.com", "CHECK_HOST");
  CHECK(host.url() == "http://example.com/");
  auto with_port = parse_http_host("127.0.0.1:8080", "CHECK_HOST");
  CHECK(with_port.port == 8080);
  CHECK(with_port.url() == "http://127.0.0.1:8080/");
  auto url = parse_http_url("https://api.example.com/health?deep=1", "CHECK_URL");
  CHECK(url.scheme == "https");
  CHECK(url.port == 443);
  CHECK(url.path == "/health?deep=1");
  CHECK(parse_http_url("http://[::1]:9000", "CHECK_URL").host == "[::1]");
  for (std::string bad : {"example.com", "http://", "http://a b/", "http://x:0/", "http://x/a b",
                          "gopher://x/", "http://user@x/", "http://x/\r\nX-Injected: 1"}) {
    INFO(bad);
    CHECK_THROWS_WITH(parse_http_url(bad, "CHECK_URL"), Catch::StartsWith("CHECK_URL: '"));
  }
  CHECK_THROWS(parse_http_host("x/y", "CHECK_HOST"));
  CHECK_THROWS(parse_http_host("x:", "CHECK_HOST"));
}
