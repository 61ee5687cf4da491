// Fuzzes what discovery does with a DNS answer: a datagram (as a hostile or broken server sends it) is first
// judged as the answer to a query or not (dns_udp.hpp: taken only with the query's ID and question), then its
// wire bytes become SRV and A records, then peers. Every peer must be a valid node name, listed once.
#include <cstdint>
#include <cstdlib>
#include <set>

#include "dns_udp.hpp"
#include "plugnode/discovery/dns_client.hpp"
#include "plugnode/discovery/peer_lookup.hpp"

namespace {

void check(const std::vector<plugnode::discovery::peer>& peers) {
  std::set<std::string> seen;
  for (const auto& p : peers) {
    auto text = p.node.to_string();
    if (!plugnode::runtime::node_name::parse(text) || !seen.insert(text).second || p.port == 0)
      std::abort();
  }
}

// The datagram judged against an SRV query whose ID is its own first two bytes (so that inputs can match):
// taken means the same ID and the one question asked, refused means a reason.
void judge(const std::uint8_t* data, std::size_t size) {
  using namespace plugnode::discovery::detail;
  packet_ptr query(ldns_pkt_query_new(ldns_dname_new_frm_str("_dist._tcp.app.default.svc.cluster.local."),
                                      LDNS_RR_TYPE_SRV, LDNS_RR_CLASS_IN, LDNS_RD),
                   ldns_pkt_free);
  ldns_pkt_set_id(query.get(), size >= 2 ? static_cast<std::uint16_t>(data[0] << 8 | data[1]) : 0);
  std::string why;
  auto answer = answer_to(query.get(), data, size, why);
  if (answer ? !why.empty() || ldns_pkt_id(answer.get()) != ldns_pkt_id(query.get()) ||
                   ldns_pkt_qdcount(answer.get()) != 1 || !ldns_pkt_qr(answer.get())
             : why.empty())
    std::abort();
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace plugnode::discovery;
  judge(data, size);
  auto answer = records_from_wire(data, size);
  check(peers_from_srv(answer.srv, "app", 4370));
  check(peers_from_a(answer.addresses, "app", 4370));
  return 0;
}
