// The /cluster document of cluster_report.hpp.
#include "plugnode/app/cluster_report.hpp"

#include <caf/blocking_actor.hpp>
#include <nlohmann/json.hpp>

#include "plugnode/app/registered_names.hpp"
#include "plugnode/discovery/discovery_protocol.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/runtime/ask.hpp"

namespace plugnode::app {

std::string cluster_report(const std::string& node, std::uint64_t incarnation,
                           const std::vector<runtime::peer_info>& peers, const std::string& discovery_json,
                           const std::string& peers_error,
                           const std::vector<runtime::peer_info>& erlang_peers) {
  nlohmann::json list = nlohmann::json::array();
  auto add = [&list](const runtime::peer_info& p, const char* protocol) {
    nlohmann::json peer{{"node", p.name},     {"protocol", protocol}, {"state", "up"},
                        {"hidden", p.hidden}, {"address", p.address}, {"last_seen_ms_ago", p.last_seen_ms},
                        {"up_ms", p.up_ms}};
    peer["rtt_ms"] =
        p.rtt_us < 0 ? nlohmann::json(nullptr) : nlohmann::json(static_cast<double>(p.rtt_us) / 1000.0);
    list.push_back(std::move(peer));
  };
  for (const auto& p : peers)
    add(p, "plugnode");
  for (const auto& p : erlang_peers)
    add(p, "erlang");
  auto discovery = nlohmann::json::parse(discovery_json, nullptr, false);
  if (discovery.is_discarded())
    discovery = nlohmann::json{{"error", discovery_json}};
  // Discovery gives every name it found this node's own distribution port; a BEAM node listens on a port
  // of its own (its EPMD's answer), which the Erlang side knows once it is connected.
  if (discovery.contains("peers") && discovery["peers"].is_array())
    for (auto& found : discovery["peers"])
      for (const auto& p : erlang_peers)
        if (found.value("node", "") == p.name) {
          auto colon = p.address.rfind(':');
          if (colon != std::string::npos && p.address.find(' ') == std::string::npos)
            found["port"] = std::stoi(p.address.substr(colon + 1));
          found["protocol"] = "erlang";
        }
  nlohmann::json doc{{"node", node},
                     {"incarnation", incarnation},
                     {"peers", std::move(list)},
                     {"discovery", std::move(discovery)}};
  if (!peers_error.empty())
    doc["peers_error"] = peers_error;
  return doc.dump();
}

std::string fetch_cluster_report(caf::blocking_actor& self, const std::string& node,
                                 std::uint64_t incarnation, const caf::actor& agent,
                                 std::chrono::milliseconds timeout) {
  auto peers = runtime::ask<std::vector<runtime::peer_info>>(self, agent, timeout, runtime::cluster_atom_v);
  auto discovery = runtime::ask<std::string>(
      self, agent, timeout, runtime::to_registered(discovery_name, discovery::cluster_atom_v));
  std::string discovery_json;
  if (discovery)
    discovery_json = std::move(*discovery);
  else if (runtime::is_unknown_name(discovery.error()))
    discovery_json = "discovery is not running";
  else
    discovery_json = "discovery: " + self.system().render(discovery.error());
  // BEAM nodes, when the Erlang listener is on (nothing is registered as `erlang` otherwise).
  auto erlang_peers = runtime::ask<std::vector<runtime::peer_info>>(
      self, agent, timeout,
      runtime::to_registered(std::string(erlang::erlang_registered_name), runtime::cluster_atom_v));
  return cluster_report(node, incarnation, peers ? *peers : std::vector<runtime::peer_info>{}, discovery_json,
                        peers ? std::string() : self.system().render(peers.error()),
                        erlang_peers ? *erlang_peers : std::vector<runtime::peer_info>{});
}

} // namespace plugnode::app
