// strategy: how a node finds its peers (PLUGNODE_DISCOVERY), and the DNS names the Kubernetes strategies ask.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "plugnode/runtime/node_name.hpp"

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

// Everything a strategy needs to name this node's peers.
struct strategy_config {
  strategy_kind kind = strategy_kind::none;
  k8s_service service;                          // k8s-srv, k8s-a
  std::vector<runtime::node_name> static_nodes; // static
  std::string app = "plugnode";                 // the app part of discovered names (this node's own)
  std::uint16_t dist_port = 4370;               // stands in for SRV port 0
};

// PLUGNODE_STATIC_NODES: comma-separated node names (spaces around commas allowed, duplicates dropped).
// nullopt and `error` naming the bad entry when one is not a valid node name.
std::optional<std::vector<runtime::node_name>> parse_static_nodes(std::string_view text,
                                                                  std::string* error = nullptr);

} // namespace plugnode::discovery
