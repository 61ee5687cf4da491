// dns_client: SRV, A and AAAA lookups on ldns, with a resolv.conf-style search list, per-try timeouts,
// retries over the configured nameservers and TCP when an answer comes back truncated. Every call is
// blocking (it waits for the network): call it from a thread of its own, never from a CAF scheduler thread.
//
// Three ldns 1.8.3 traps are avoided here rather than papered over: a failed query marks a nameserver dead
// for the life of an ldns_resolver (so every query gets a fresh one), ldns_resolver_search skips the search
// list for names ldns_dname_new_frm_str made absolute, and a search that fails everywhere returns OK with a
// NULL packet (so the search list is walked here, and each step's outcome is an explicit dns_result).
// A fourth is why UDP is done here and not by ldns: its UDP send takes the first datagram from anyone and
// leaves the ID unchecked. A try takes only the datagram from the server's address and port that carries
// the query's random ID and question, skips any other until its deadline (discovery/src/dns_udp.hpp), and
// asks over TCP (through ldns) when that answer is truncated.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "plugnode/discovery/dns_result.hpp"
#include "plugnode/discovery/resolver_config.hpp"

namespace plugnode::discovery {

struct address_record {
  std::string name; // owner, fully qualified with the trailing dot
  std::uint32_t ttl = 0;
  bool ipv6 = false; // AAAA rather than A
  std::string address;
};

struct srv_record {
  std::string name; // owner, fully qualified with the trailing dot
  std::uint32_t ttl = 0;
  std::uint16_t priority = 0;
  std::uint16_t weight = 0;
  std::uint16_t port = 0;
  std::string target;                    // fully qualified with the trailing dot
  std::vector<address_record> addresses; // the target's A/AAAA records from the additional section
};

// The records of one answer in DNS wire format, taken as a lookup takes them: the SRV records with their
// targets' addresses from the additional section, and the answer's A and AAAA records. Bytes that are not a
// DNS message give none. (The fuzz target of discovery's answers starts here, with no server in between.)
struct wire_records {
  std::vector<srv_record> srv;
  std::vector<address_record> addresses;
};
wire_records records_from_wire(const std::uint8_t* data, std::size_t size);

class dns_client {
public:
  explicit dns_client(resolver_config config);

  // SRV records of `name` (through the search list), in the order the server gave them.
  dns_result<std::vector<srv_record>> srv(std::string_view name) const;
  // A records of `name`.
  dns_result<std::vector<address_record>> a(std::string_view name) const;
  // AAAA records of `name`.
  dns_result<std::vector<address_record>> aaaa(std::string_view name) const;
  // A and AAAA records together: an error only when neither type has records, or when the server failed.
  dns_result<std::vector<address_record>> addresses(std::string_view name) const;

  // For dialling a node: `host` as IP address strings (A first, then AAAA). An IP literal comes back as is.
  // This is what the node agent's host_resolver wraps, so peers' host names go through the same server.
  dns_result<std::vector<std::string>> resolve_host(std::string_view host) const;

  // The names a lookup of `name` tries, in order (ndots rule: a name with at least `ndots` dots is tried as
  // is first; an absolute name, ending in '.', only as is).
  std::vector<std::string> candidates(std::string_view name) const;

  const resolver_config& config() const { return config_; }

private:
  resolver_config config_;
};

} // namespace plugnode::discovery
