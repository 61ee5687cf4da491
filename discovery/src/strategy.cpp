// Strategy names, Kubernetes query names and PLUGNODE_STATIC_NODES; see strategy.hpp.
#include "plugnode/discovery/strategy.hpp"

#include <algorithm>

namespace plugnode::discovery {

std::optional<strategy_kind> parse_strategy(std::string_view text) {
  if (text == "none")
    return strategy_kind::none;
  if (text == "static")
    return strategy_kind::static_list;
  if (text == "k8s-srv")
    return strategy_kind::k8s_srv;
  if (text == "k8s-a")
    return strategy_kind::k8s_a;
  return std::nullopt;
}

std::string_view to_string(strategy_kind kind) {
  switch (kind) {
  case strategy_kind::none: return "none";
  case strategy_kind::static_list: return "static";
  case strategy_kind::k8s_srv: return "k8s-srv";
  case strategy_kind::k8s_a: return "k8s-a";
  }
  return "none";
}

std::string service_fqdn(const k8s_service& svc) {
  return svc.service + "." + svc.name_space + ".svc." + svc.cluster_domain;
}

std::vector<std::string> srv_query_names(const k8s_service& svc) {
  return {"_" + svc.port_name + "._tcp." + service_fqdn(svc), service_fqdn(svc)};
}

std::optional<std::vector<runtime::node_name>> parse_static_nodes(std::string_view text, std::string* error) {
  std::vector<runtime::node_name> nodes;
  auto trim = [](std::string_view s) {
    while (!s.empty() && s.front() == ' ')
      s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
      s.remove_suffix(1);
    return s;
  };
  if (trim(text).empty())
    return nodes;
  std::size_t start = 0;
  while (start <= text.size()) {
    auto end = std::min(text.find(',', start), text.size());
    auto item = trim(text.substr(start, end - start));
    std::string why;
    auto node = runtime::node_name::parse(item, &why);
    if (!node) {
      if (error)
        *error = "PLUGNODE_STATIC_NODES: " + why;
      return std::nullopt;
    }
    if (std::find(nodes.begin(), nodes.end(), *node) == nodes.end())
      nodes.push_back(*node);
    start = end + 1;
  }
  return nodes;
}

} // namespace plugnode::discovery
