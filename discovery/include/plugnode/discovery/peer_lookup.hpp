// peer_lookup: one run of the configured strategy: the peers its DNS answer (or static list) names right
// now. A failed lookup is an error, never an empty list, so the caller can keep the cluster it has.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "plugnode/discovery/dns_client.hpp"
#include "plugnode/discovery/dns_result.hpp"
#include "plugnode/discovery/strategy.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::discovery {

struct peer {
  runtime::node_name node;
  std::uint16_t port = 0;             // the distribution port it listens on (SRV port, 0 replaced)
  std::vector<std::string> addresses; // from the SRV answer's additional section, when present
  friend bool operator==(const peer& a, const peer& b) {
    return a.node == b.node && a.port == b.port && a.addresses == b.addresses;
  }
};

// SRV records to peers: target `S-0.S.N.svc.D.` becomes `app@S-0.S.N.svc.D`; port 0 becomes `dist_port`.
// Targets that do not make a valid node name are skipped. Sorted by node name, one entry per node.
std::vector<peer> peers_from_srv(const std::vector<srv_record>& records, const std::string& app,
                                 std::uint16_t dist_port);

// A records to peers `app@<ip>`, sorted, one entry per address.
std::vector<peer> peers_from_a(const std::vector<address_record>& records, const std::string& app,
                               std::uint16_t dist_port);

// Runs the strategy. k8s-srv asks the named-port form, then the bare service name when the first does not
// exist (a server failure or timeout is returned at once: it says nothing about the bare name). none gives
// an empty list, static its configured nodes.
dns_result<std::vector<peer>> find_peers(const strategy_config& config, const dns_client& client);

} // namespace plugnode::discovery
