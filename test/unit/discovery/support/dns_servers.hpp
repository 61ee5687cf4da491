// dns_servers: real DNS servers for discovery's tests, each on 127.0.0.1 and a fresh port, killed when the
// object goes away. dnsmasq serves a small Kubernetes-like zone (SRV and host records, changeable);
// ldns-testns answers from canned packets (truncated, slow, garbage, wrong id, any rcode).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plugnode/discovery/resolver_config.hpp"
#include "plugnode/test/process.hpp"

namespace plugnode::test {

struct srv_entry {
  std::string name;   // `_dist._tcp.app.default.svc.cluster.local` or the bare service name
  std::string target; // `app-0.app.default.svc.cluster.local`
  std::uint16_t port = 4370;
  std::uint16_t priority = 0;
  std::uint16_t weight = 10;
};

struct host_entry {
  std::string name;
  std::string address; // IPv4 or IPv6
};

struct dns_zone {
  std::vector<srv_entry> srv;
  std::vector<host_entry> hosts; // fixed --host-record entries
};

// dnsmasq authoritative for cluster.local (unknown names there: NXDOMAIN; names elsewhere: REFUSED, as it
// has no upstream). A records in the hosts directory change live; SRV records change with restart().
class dnsmasq_server {
public:
  explicit dnsmasq_server(dns_zone zone);
  ~dnsmasq_server();
  dnsmasq_server(const dnsmasq_server&) = delete;
  dnsmasq_server& operator=(const dnsmasq_server&) = delete;

  std::uint16_t port() const { return port_; }
  discovery::nameserver address() const { return {"127.0.0.1", port_}; }
  // A resolver configuration asking only this server, with a short timeout.
  discovery::resolver_config resolver(std::vector<std::string> search = {}, int ndots = 1) const;

  // Replaces the live hosts file (dnsmasq rereads it on change).
  void set_live_hosts(const std::vector<host_entry>& hosts);
  void stop();
  void start();
  // Stops, takes the new zone, starts again on the same port.
  void restart(dns_zone zone);

private:
  dns_zone zone_;
  std::uint16_t port_;
  std::string dir_;
  std::unique_ptr<process> process_;
};

// ldns-testns serving `entries` (its data file format, see ldns-testns(1)).
class testns_server {
public:
  explicit testns_server(const std::string& entries);
  ~testns_server();
  testns_server(const testns_server&) = delete;
  testns_server& operator=(const testns_server&) = delete;

  std::uint16_t port() const { return port_; }
  discovery::resolver_config
  resolver(std::chrono::milliseconds timeout = std::chrono::milliseconds(500)) const;

private:
  std::uint16_t port_;
  std::string file_;
  std::unique_ptr<process> process_;
};

} // namespace plugnode::test
