// The `plugnode describe` text of describe.hpp.
#include "plugnode/app/describe.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "plugnode/plugs/endpoint.hpp"

namespace plugnode::app {
namespace {

std::string discovery_line(const discovery_settings& d) {
  using discovery::strategy_kind;
  std::string line(discovery::to_string(d.strategy));
  if (d.strategy == strategy_kind::static_list) {
    line += ", nodes";
    for (const auto& node : d.static_nodes)
      line += " " + node.to_string();
  }
  if (d.strategy == strategy_kind::k8s_srv || d.strategy == strategy_kind::k8s_a)
    line += fmt::format(", service {}.{}.svc.{}, port name {}", d.service.service, d.service.name_space,
                        d.service.cluster_domain, d.service.port_name);
  if (d.strategy != strategy_kind::none)
    line += fmt::format(", every {}, at most {} peers, DNS server {}", format_duration(d.poll_interval),
                        d.max_targets, d.dns_server ? d.dns_server->to_string() : "from /etc/resolv.conf");
  return line;
}

std::string checker_line(const checker_config& c) {
  if (!c.target)
    return "off (set CHECK_HOST or CHECK_URL)";
  return fmt::format("HEAD {} every {}, first after {}, timeout {}", c.target->url(),
                     format_duration(c.interval), format_duration(c.init_delay), format_duration(c.timeout));
}

} // namespace

std::string describe(const config& cfg, const std::string& version) {
  std::string out;
  auto row = [&out](const char* name, const std::string& value) {
    out += fmt::format("{:<14}{}\n", name, value);
  };
  row("name", cfg.node.to_string());
  row("version", version);
  row("http", fmt::format("{}:{}, requests answered 503 after {}", cfg.http_addr, cfg.http_port,
                          format_duration(cfg.http_deadline)));
  row("connections",
      fmt::format("up to {} ({} event loops, {} workers), request head within {}, idle closed after {}",
                  cfg.http_max_connections, plugs::event_loops(cfg.http_loops), cfg.http_workers,
                  format_duration(cfg.http_head_timeout), format_duration(cfg.http_idle_timeout)));
  row("bodies",
      fmt::format("{} held at once by all connections (a body past it waits unread), {} by one "
                  "address, each at least {}/s on average",
                  format_bytes(cfg.http_body_buffer),
                  format_bytes(cfg.http_body_buffer_per_address != 0 ? cfg.http_body_buffer_per_address
                                                                     : cfg.http_body_buffer / 4),
                  format_bytes(cfg.http_body_min_rate)));
  row("spooled", fmt::format("bodies over {} to unlinked files in {}, {} on disk at once",
                             format_bytes(cfg.http_body_spool),
                             cfg.http_body_spool_dir.empty() ? "$TMPDIR or /tmp" : cfg.http_body_spool_dir,
                             format_bytes(cfg.http_body_disk)));
  row("distribution",
      fmt::format("{}:{}{}, peers down after {} of silence, senders held past {} unconfirmed per peer",
                  cfg.dist_addr.value_or(cfg.node.host()), cfg.dist_port,
                  cfg.tls.enabled() ? " (mutual TLS)" : "", format_duration(cfg.failure_bound),
                  format_bytes(cfg.dist_buffer)));
  row("erlang", cfg.erlang.enabled
                    ? fmt::format("{}:{} (EPMD on port {} answers for {}), net_ticktime {}; MD5 "
                                  "handshake, clear text",
                                  cfg.dist_addr.value_or(cfg.node.host()), cfg.erlang.port,
                                  cfg.erlang.epmd_port, cfg.node.app(), format_duration(cfg.erlang.ticktime))
                    : std::string("off (set PLUGNODE_ERLANG_DIST=true for BEAM nodes)"));
  row("cookie", cfg.cookie.empty() ? "none (single node)" : "from " + cfg.cookie_source);
  row("discovery", discovery_line(cfg.discovery));
  row("checker", checker_line(cfg.checker));
  row("admin", cfg.admin.port
                   ? fmt::format("{}:{}, dashboard{}; /cluster and /status on the {}", cfg.admin.addr,
                                 *cfg.admin.port, cfg.admin.token.empty() ? "" : ", token required",
                                 cfg.admin.routes == operator_routes::admin ? "admin listener only"
                                                                            : "public port too")
                   : std::string("off (set PLUGNODE_ADMIN_PORT for the dashboard)"));
  row("log", fmt::format("{} {}", spdlog::level::to_string_view(cfg.log.level),
                         cfg.log.format == runtime::log_format::json ? "json" : "text"));
  const char* label = "settings";
  for (const auto& [env, value] : cfg.service.shown()) {
    row(label, env + " " + value);
    label = "";
  }
  return out;
}

} // namespace plugnode::app
