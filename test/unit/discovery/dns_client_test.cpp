// The DNS client against real servers: dnsmasq for zones, ldns-testns for broken answers; the three ldns
// traps.
#include "plugnode/discovery/dns_client.hpp"

#include <chrono>
#include <set>

#include <catch2/catch.hpp>

#include "dns_servers.hpp"
#include "hostile_dns.hpp"

using namespace plugnode::discovery;
using plugnode::test::dns_trick;
using plugnode::test::dns_zone;
using plugnode::test::dnsmasq_server;
using plugnode::test::hostile_dns;
using plugnode::test::testns_server;

namespace {

const std::string svc = "app.default.svc.cluster.local";

dns_zone two_pods() {
  return {{{"_dist._tcp." + svc, "app-0." + svc, 4370}, {"_dist._tcp." + svc, "app-1." + svc, 4370}},
          {{"app-0." + svc, "127.0.0.2"}, {"app-1." + svc, "127.0.0.3"}, {"app-1." + svc, "::3"}}};
}

std::vector<std::string> addresses_of(const std::vector<address_record>& records) {
  std::vector<std::string> out;
  for (const auto& r : records)
    out.push_back(r.address);
  std::sort(out.begin(), out.end());
  return out;
}

} // namespace

TEST_CASE("SRV: priority, weight, port, target and the additional section's addresses", "[dns_client]") {
  dnsmasq_server dns(two_pods());
  dns_client client(dns.resolver());
  auto answer = client.srv("_dist._tcp." + svc);
  REQUIRE(answer.ok());
  auto records = answer.value();
  REQUIRE(records.size() == 2);
  std::sort(records.begin(), records.end(), [](auto& a, auto& b) { return a.target < b.target; });
  CHECK(records[0].name == "_dist._tcp." + svc + ".");
  CHECK(records[0].target == "app-0." + svc + ".");
  CHECK(records[0].port == 4370);
  CHECK(records[0].priority == 0);
  CHECK(records[0].weight == 10);
  CHECK(addresses_of(records[0].addresses) == std::vector<std::string>{"127.0.0.2"});
  CHECK(addresses_of(records[1].addresses) == std::vector<std::string>{"127.0.0.3", "::3"});
}

TEST_CASE("A and AAAA records, and both together", "[dns_client]") {
  dnsmasq_server dns(two_pods());
  dns_client client(dns.resolver());
  CHECK(addresses_of(client.a("app-1." + svc).value()) == std::vector<std::string>{"127.0.0.3"});
  CHECK(addresses_of(client.aaaa("app-1." + svc).value()) == std::vector<std::string>{"::3"});
  CHECK(addresses_of(client.addresses("app-1." + svc).value()) ==
        std::vector<std::string>{"127.0.0.3", "::3"});
  CHECK(addresses_of(client.addresses("app-0." + svc).value()) == std::vector<std::string>{"127.0.0.2"});
  auto record = client.a("app-0." + svc).value().at(0);
  CHECK(record.name == "app-0." + svc + ".");
  CHECK_FALSE(record.ipv6);
}

TEST_CASE("resolve_host: names through the server, IP literals as they are", "[dns_client]") {
  dnsmasq_server dns(two_pods());
  dns_client client(dns.resolver());
  CHECK(client.resolve_host("app-1." + svc).value() == std::vector<std::string>{"127.0.0.3", "::3"});
  CHECK(client.resolve_host("127.0.0.7").value() == std::vector<std::string>{"127.0.0.7"});
  CHECK(client.resolve_host("::1").value() == std::vector<std::string>{"::1"});
  auto missing = client.resolve_host("app-9." + svc);
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == dns_errc::nxdomain);
}

TEST_CASE("NXDOMAIN, no records of the type, and REFUSED are errors, not empty lists", "[dns_client]") {
  dnsmasq_server dns(two_pods());
  dns_client client(dns.resolver());
  auto missing = client.srv("_dist._tcp.nothing.default.svc.cluster.local");
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.error().code == dns_errc::nxdomain);
  CHECK_THAT(missing.error().message(), Catch::Contains("_dist._tcp.nothing.default.svc.cluster.local."));

  auto no_aaaa = client.aaaa("app-0." + svc);
  REQUIRE_FALSE(no_aaaa.ok());
  CHECK(no_aaaa.error().code == dns_errc::no_data);

  auto refused = client.a("example.org"); // outside cluster.local: dnsmasq has no upstream to ask
  REQUIRE_FALSE(refused.ok());
  CHECK(refused.error().code == dns_errc::refused);
  CHECK_THAT(refused.error().message(), Catch::Contains("REFUSED"));
}

TEST_CASE("search list with ndots: which names a lookup tries, in order", "[dns_client]") {
  resolver_config config;
  config.search = {"default.svc.cluster.local", "svc.cluster.local."};
  config.ndots = 2;
  dns_client client(config);
  CHECK(client.candidates("app-0.app") == std::vector<std::string>{"app-0.app.default.svc.cluster.local.",
                                                                   "app-0.app.svc.cluster.local.",
                                                                   "app-0.app."});
  CHECK(client.candidates("a.b.c") ==
        std::vector<std::string>{"a.b.c.", "a.b.c.default.svc.cluster.local.", "a.b.c.svc.cluster.local."});
  CHECK(client.candidates("app-0.app.") == std::vector<std::string>{"app-0.app."});
  CHECK(client.candidates("").empty());
}

// ldns trap: ldns_resolver_search never applies the search list to a name from ldns_dname_new_frm_str,
// which always makes it absolute. A pod's short name must still resolve.
TEST_CASE("ldns trap: a short name resolves through the search list", "[dns_client][ldns-trap]") {
  dnsmasq_server dns(two_pods());
  dns_client client(dns.resolver({"svc.cluster.local", "default.svc.cluster.local"}, 5));
  auto found = client.a("app-0.app");
  REQUIRE(found.ok());
  CHECK(found.value().at(0).name == "app-0." + svc + ".");
  auto srv = client.srv("_dist._tcp.app");
  REQUIRE(srv.ok());
  CHECK(srv.value().size() == 2);
  // An absolute name is asked as it is, never with a search domain appended.
  auto absolute = client.a("app-0.app.");
  REQUIRE_FALSE(absolute.ok());
  CHECK(absolute.error().code == dns_errc::refused); // `app-0.app.` lies outside cluster.local
}

// ldns trap: when every search domain fails, ldns_resolver_search returns OK with a NULL packet.
TEST_CASE("ldns trap: a search that fails everywhere is an NXDOMAIN error naming every name tried",
          "[dns_client][ldns-trap]") {
  dnsmasq_server dns(two_pods());
  dns_client cluster_only(
      dns.resolver({"default.svc.cluster.local", "svc.cluster.local", "cluster.local"}, 1));
  auto nowhere = cluster_only.a("app-7.app.cluster.local");
  REQUIRE_FALSE(nowhere.ok());
  CHECK(nowhere.error().code == dns_errc::nxdomain);
  CHECK_THAT(nowhere.error().detail, Catch::Contains("app-7.app.cluster.local.default.svc.cluster.local."));
}

// ldns trap: after one failed send, an ldns_resolver marks its nameserver unreachable for good.
TEST_CASE("ldns trap: the same client recovers when its nameserver comes back", "[dns_client][ldns-trap]") {
  dnsmasq_server dns(two_pods());
  dns_client client(dns.resolver());
  REQUIRE(client.a("app-0." + svc).ok());
  dns.stop();
  auto down = client.a("app-0." + svc);
  REQUIRE_FALSE(down.ok());
  CHECK((down.error().code == dns_errc::timeout || down.error().code == dns_errc::unreachable));
  dns.start();
  auto back = client.a("app-0." + svc);
  REQUIRE(back.ok());
  CHECK(back.value().at(0).address == "127.0.0.2");
}

TEST_CASE("A records change live, SRV records with a restart", "[dns_client]") {
  dnsmasq_server dns(two_pods());
  dns_client client(dns.resolver());
  CHECK(client.a("app-5." + svc).error().code == dns_errc::nxdomain);
  dns.set_live_hosts({{"app-5." + svc, "127.0.0.5"}});
  CHECK(plugnode::test::eventually([&] { return client.a("app-5." + svc).ok(); }, std::chrono::seconds(5)));
  auto zone = two_pods();
  zone.srv.pop_back();
  dns.restart(zone);
  // A restarted dnsmasq under load may take a moment before it answers again.
  CHECK(plugnode::test::eventually(
      [&] {
        auto answer = client.srv("_dist._tcp." + svc);
        return answer.ok() && answer.value().size() == 1;
      },
      std::chrono::seconds(5)));
}

namespace {

const std::string canned = R"(
ENTRY_BEGIN
MATCH opcode qtype qname UDP
ADJUST copy_id
REPLY QR AA TC NOERROR
SECTION QUESTION
big.test. IN A
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname TCP
ADJUST copy_id
REPLY QR AA NOERROR
SECTION QUESTION
big.test. IN A
SECTION ANSWER
big.test. 60 IN A 10.0.0.1
big.test. 60 IN A 10.0.0.2
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id sleep=5
REPLY QR AA NOERROR
SECTION QUESTION
slow.test. IN A
SECTION ANSWER
slow.test. 60 IN A 10.0.0.3
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname
REPLY QR AA NOERROR
SECTION QUESTION
garbage.test. IN A
HEX_ANSWER_BEGIN
 00 01 02
HEX_ANSWER_END
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname
REPLY QR AA NOERROR
SECTION QUESTION
wrongid.test. IN A
SECTION ANSWER
wrongid.test. 60 IN A 10.0.0.4
ENTRY_END

ENTRY_BEGIN
MATCH opcode qtype qname
ADJUST copy_id
REPLY QR SERVFAIL
SECTION QUESTION
broken.test. IN A
ENTRY_END
)";

} // namespace

TEST_CASE("a truncated UDP answer is asked again over TCP", "[dns_client]") {
  testns_server dns(canned);
  dns_client client(dns.resolver());
  auto answer = client.a("big.test.");
  REQUIRE(answer.ok());
  CHECK(addresses_of(answer.value()) == std::vector<std::string>{"10.0.0.1", "10.0.0.2"});
}

TEST_CASE("a slow server hits the timeout, after every retry", "[dns_client]") {
  testns_server dns(canned);
  auto config = dns.resolver(std::chrono::milliseconds(300));
  config.attempts = 2;
  dns_client client(config);
  auto start = std::chrono::steady_clock::now();
  auto answer = client.a("slow.test.");
  auto elapsed = std::chrono::steady_clock::now() - start;
  REQUIRE_FALSE(answer.ok());
  CHECK(answer.error().code == dns_errc::timeout);
  CHECK_THAT(answer.error().detail, Catch::Contains("no answer within 300 ms"));
  CHECK(elapsed >= std::chrono::milliseconds(600));
  CHECK(elapsed < std::chrono::milliseconds(3000)); // well before the 5 s answer, even on a loaded machine
}

TEST_CASE("a garbage packet, or one answering another query, is skipped: the try ends at its deadline",
          "[dns_client][spoofing]") {
  testns_server dns(canned);
  dns_client client(dns.resolver(std::chrono::milliseconds(300)));
  auto garbage = client.a("garbage.test.");
  REQUIRE_FALSE(garbage.ok());
  CHECK(garbage.error().code == dns_errc::timeout);
  CHECK_THAT(garbage.error().detail,
             Catch::Contains("no answer within 300 ms (ignored 1 datagram that did not answer the question; "
                             "the last: not a DNS message)"));
  auto wrong_id = client.a("wrongid.test.");
  REQUIRE_FALSE(wrong_id.ok());
  CHECK(wrong_id.error().code == dns_errc::timeout);
  CHECK_THAT(wrong_id.error().detail, Catch::Contains("the last: another query ID"));
}

// A forger next to the real server (hostile_dns.hpp) sends an answer naming 127.0.0.66 before each real one.
TEST_CASE("only the server's own answer counts: forgeries from another address or port, or with another "
          "question, are skipped and the real answer wins",
          "[dns_client][spoofing]") {
  dnsmasq_server dns(two_pods());
  for (auto trick : {dns_trick::other_address, dns_trick::other_port, dns_trick::other_question}) {
    INFO("trick " << static_cast<int>(trick));
    hostile_dns forger("127.0.0.53", trick, dns.address());
    dns_client client(forger.resolver(std::chrono::milliseconds(2000)));
    auto found = client.a("app-0." + svc);
    REQUIRE(found.ok());
    CHECK(addresses_of(found.value()) == std::vector<std::string>{"127.0.0.2"});
    auto srv = client.srv("_dist._tcp." + svc);
    REQUIRE(srv.ok());
    CHECK(srv.value().size() == 2);
    for (const auto& record : srv.value())
      CHECK_THAT(record.target, !Catch::Contains("forged"));
    CHECK(forger.forged() == 2);
  }
}

TEST_CASE("a stray datagram with another ID before the answer does not fail the look-up",
          "[dns_client][spoofing]") {
  dnsmasq_server dns(two_pods());
  hostile_dns forger("127.0.0.53", dns_trick::wrong_id, dns.address());
  dns_client client(forger.resolver(std::chrono::milliseconds(2000)));
  auto found = client.a("app-1." + svc);
  REQUIRE(found.ok());
  CHECK(addresses_of(found.value()) == std::vector<std::string>{"127.0.0.3"});
  CHECK(forger.forged() == 1);
}

TEST_CASE("with nothing but forgeries, the deadline ends the try and nothing forged is taken",
          "[dns_client][spoofing]") {
  std::vector<std::pair<dns_trick, std::string>> tricks{{dns_trick::other_address, "not the server"},
                                                        {dns_trick::other_port, "not the server"},
                                                        {dns_trick::wrong_id, "another query ID"},
                                                        {dns_trick::other_question, "another question"}};
  for (const auto& [trick, why] : tricks) {
    INFO("trick " << static_cast<int>(trick));
    hostile_dns forger("127.0.0.53", trick, std::nullopt);
    dns_client client(forger.resolver(std::chrono::milliseconds(300)));
    auto start = std::chrono::steady_clock::now();
    auto found = client.a("app-0." + svc + ".");
    auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(found.ok());
    CHECK(found.error().code == dns_errc::timeout);
    CHECK_THAT(found.error().detail, Catch::Contains("no answer within 300 ms (ignored 1 datagram"));
    CHECK_THAT(found.error().detail, Catch::EndsWith(why + ")"));
    CHECK(elapsed >= std::chrono::milliseconds(300));
    CHECK(elapsed < std::chrono::milliseconds(2000));
    CHECK(forger.forged() == 1);
  }
}

TEST_CASE("each question goes out from its own random port with its own random ID, offering EDNS",
          "[dns_client]") {
  // Seen from the server's side: it records where each query came from.
  hostile_dns forger("127.0.0.53", dns_trick::wrong_id, std::nullopt);
  dns_client client(forger.resolver(std::chrono::milliseconds(50)));
  for (int i = 0; i < 8; ++i)
    (void)client.a("app-0." + svc + ".");
  auto seen = forger.queries();
  REQUIRE(seen.size() == 8);
  std::set<std::uint16_t> ports, ids;
  for (const auto& query : seen) {
    ports.insert(query.port);
    ids.insert(query.id);
    CHECK(query.edns_size == 1232); // answers up to 1232 bytes come over UDP
  }
  // 8 draws from ~28,000 ports and 65,536 IDs: one repeat is unlikely (< 0.2 %), two practically never;
  // a counter or a fixed port would fail at once.
  CHECK(ports.size() >= 7);
  CHECK(ids.size() >= 7);
}

TEST_CASE("SERVFAIL is a server failure, and stops the search walk", "[dns_client]") {
  testns_server dns(canned);
  auto config = dns.resolver();
  config.search = {"test"};
  config.ndots = 3;
  dns_client client(config);
  auto failed = client.a("broken");
  REQUIRE_FALSE(failed.ok());
  CHECK(failed.error().code == dns_errc::server_failure);
}

TEST_CASE("a bad name is refused before any query", "[dns_client]") {
  dns_client client(resolver_config{{{"127.0.0.1", 9}}, {}, 1, std::chrono::milliseconds(100), 1});
  auto bad = client.a(std::string(300, 'a') + ".");
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.error().code == dns_errc::bad_name);
  CHECK(client.a("").error().code == dns_errc::bad_name);
}
