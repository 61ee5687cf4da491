// Strategy answers turned into peers; see peer_lookup.hpp.
#include "plugnode/discovery/peer_lookup.hpp"

#include <algorithm>

namespace plugnode::discovery {
namespace {

void sort_unique(std::vector<peer>& peers) {
  std::sort(peers.begin(), peers.end(), [](const peer& a, const peer& b) { return a.node < b.node; });
  peers.erase(
      std::unique(peers.begin(), peers.end(), [](const peer& a, const peer& b) { return a.node == b.node; }),
      peers.end());
}

bool not_found(const dns_error& error) {
  return error.code == dns_errc::nxdomain || error.code == dns_errc::no_data;
}

// The strategies build fully qualified names, so they ask them as absolute names: with a pod's ndots:5 a
// relative `S.N.svc.D` would first wander through every search domain.
std::string absolute(const std::string& name) {
  return name + ".";
}

dns_result<std::vector<peer>> find_srv_peers(const strategy_config& config, const dns_client& client) {
  std::string tried;
  std::optional<dns_error> last;
  for (const auto& name : srv_query_names(config.service)) {
    auto answer = client.srv(absolute(name));
    if (answer) {
      auto peers = peers_from_srv(answer.value(), config.app, config.dist_port);
      if (peers.empty())
        return dns_error{dns_errc::malformed, "SRV " + name + ": no target makes a valid node name"};
      return peers;
    }
    if (!not_found(answer.error()))
      return answer.error();
    tried += (tried.empty() ? "" : " nor ") + name;
    last = answer.error();
  }
  return dns_error{last->code, "no SRV records for " + tried};
}

} // namespace

std::vector<peer> peers_from_srv(const std::vector<srv_record>& records, const std::string& app,
                                 std::uint16_t dist_port) {
  std::vector<peer> peers;
  for (const auto& record : records) {
    auto node = runtime::node_name::parse(app + "@" + record.target);
    if (!node)
      continue;
    peer p{*node, record.port == 0 ? dist_port : record.port, {}};
    for (const auto& address : record.addresses)
      p.addresses.push_back(address.address);
    peers.push_back(std::move(p));
  }
  sort_unique(peers);
  return peers;
}

std::vector<peer> peers_from_a(const std::vector<address_record>& records, const std::string& app,
                               std::uint16_t dist_port) {
  std::vector<peer> peers;
  for (const auto& record : records) {
    auto node = runtime::node_name::parse(app + "@" + record.address);
    if (node)
      peers.push_back({*node, dist_port, {record.address}});
  }
  sort_unique(peers);
  return peers;
}

dns_result<std::vector<peer>> find_peers(const strategy_config& config, const dns_client& client) {
  switch (config.kind) {
  case strategy_kind::none: return std::vector<peer>{};
  case strategy_kind::static_list: {
    std::vector<peer> peers;
    for (const auto& node : config.static_nodes)
      peers.push_back({node, config.dist_port, {}});
    sort_unique(peers);
    return peers;
  }
  case strategy_kind::k8s_srv: return find_srv_peers(config, client);
  case strategy_kind::k8s_a: {
    auto answer = client.a(absolute(service_fqdn(config.service)));
    if (!answer)
      return answer.error();
    return peers_from_a(answer.value(), config.app, config.dist_port);
  }
  }
  return std::vector<peer>{};
}

} // namespace plugnode::discovery
