// The /cluster JSON of discovery; see cluster_view.hpp.
#include "plugnode/discovery/cluster_view.hpp"

#include <nlohmann/json.hpp>

namespace plugnode::discovery {

std::string describe_cluster(const discovery_state& state, strategy_kind strategy) {
  auto now = state.now();
  auto ms_since = [&](std::chrono::steady_clock::time_point then) {
    return std::chrono::duration_cast<std::chrono::milliseconds>(now - then).count();
  };
  nlohmann::json out{{"strategy", std::string(to_string(strategy))},
                     {"self", state.self().to_string()},
                     {"ready", state.ready()},
                     {"polls", state.polls()},
                     {"errors", state.errors()}};
  if (auto at = state.last_answer_at())
    out["last_answer_ms_ago"] = ms_since(*at);
  if (const auto& error = state.last_error())
    out["last_error"] = error->message();
  auto peers = nlohmann::json::array();
  for (const auto& [node, m] : state.members())
    peers.push_back({{"node", node.to_string()},
                     {"port", m.info.port},
                     {"addresses", m.info.addresses},
                     {"link", std::string(to_string(m.link))},
                     {"missing", m.missing},
                     {"last_seen_ms_ago", ms_since(m.last_seen)}});
  out["peers"] = std::move(peers);
  return out.dump();
}

} // namespace plugnode::discovery
