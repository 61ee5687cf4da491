#include "plugnode/discovery/strategy.hpp"

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

} // namespace plugnode::discovery
