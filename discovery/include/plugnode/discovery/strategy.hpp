// strategy: how a node finds its peers (PLUGNODE_DISCOVERY), and the DNS names the Kubernetes strategies ask.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plugnode::discovery {

enum class strategy_kind { none, static_list, k8s_srv, k8s_a };

std::optional<strategy_kind> parse_strategy(std::string_view text);
std::string_view to_string(strategy_kind kind);

// The headless Service a Kubernetes strategy asks about.
struct k8s_service {
  std::string service;
  std::string name_space = "default";
  std::string port_name = "dist";
  std::string cluster_domain = "cluster.local";
};

// `S.N.svc.D`: the Service's own name (A records; the bare SRV form libcluster asks).
std::string service_fqdn(const k8s_service& svc);

// SRV names in the order to ask them: `_<port>._tcp.S.N.svc.D` (Kubernetes DNS spec) first, then the bare
// `S.N.svc.D` that kube-dns also answers (with port 0).
std::vector<std::string> srv_query_names(const k8s_service& svc);

} // namespace plugnode::discovery
