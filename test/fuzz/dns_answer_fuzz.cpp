// Fuzzes what discovery does with a DNS answer: the wire bytes (as a hostile or broken server sends them)
// become SRV and A records, then peers. Every peer must be a valid node name, listed once.
#include <cstdint>
#include <cstdlib>
#include <set>

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

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace plugnode::discovery;
  auto answer = records_from_wire(data, size);
  check(peers_from_srv(answer.srv, "app", 4370));
  check(peers_from_a(answer.addresses, "app", 4370));
  return 0;
}
