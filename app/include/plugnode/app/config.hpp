// config: the node's effective configuration, from the environment (the names operators and the deploy files
// use: the table in docs/architecture.md and README.md) overridden by flags. Every value is checked here, at
// start-up, so a bad one stops the node with one line naming it instead of failing later.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "plugnode/app/config_values.hpp"
#include "plugnode/app/service_setting.hpp"
#include "plugnode/discovery/resolver_config.hpp"
#include "plugnode/discovery/strategy.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/node_name.hpp"
#include "plugnode/runtime/tls.hpp"

namespace plugnode::app {

using namespace std::chrono_literals;

struct discovery_settings {
  discovery::strategy_kind strategy = discovery::strategy_kind::none;
  std::vector<runtime::node_name> static_nodes;
  discovery::k8s_service service;
  std::optional<discovery::nameserver> dns_server; // unset: the servers of /etc/resolv.conf
  std::chrono::milliseconds poll_interval = 5s;
  std::size_t max_targets = 100; // peers taken from one answer
};

struct checker_config {
  std::optional<http_target> target; // unset: checker off
  std::chrono::milliseconds interval = 30s;
  std::chrono::milliseconds init_delay = 2s;
  std::chrono::milliseconds timeout = 5s;
};

// Where /cluster and /status are served: on the public HTTP port (the starter's place) or only on the admin
// listener (they name nodes and addresses).
enum class operator_routes { public_port, admin };

// The admin listener (the dashboard, admin_routes.hpp): off unless a port is given.
struct admin_config {
  std::string addr = "127.0.0.1";
  std::optional<std::uint16_t> port; // unset: no admin listener
  std::string token;                 // required off loopback; when set, every request must carry it
  operator_routes routes = operator_routes::public_port;
};

// True for an address only this host reaches (127.0.0.0/8, ::1).
bool loopback_address(const std::string& address);

struct config {
  std::string http_addr = "0.0.0.0";
  std::uint16_t http_port = 4000;
  std::chrono::milliseconds http_deadline = 30s;     // past it a request gets 503
  std::size_t http_workers = 256;                    // requests in progress at once
  std::size_t http_loops = 0;                        // event loops; 0: one per core
  std::size_t http_max_connections = 20000;          // open connections; more are closed at once
  std::chrono::milliseconds http_head_timeout = 10s; // a whole request head; then 408
  std::chrono::milliseconds http_idle_timeout = 5s;  // between requests on a keep-alive connection
  std::uint64_t http_body_buffer = 64 * 1024 * 1024; // request body bytes held at once, all connections
  std::uint64_t http_body_min_rate = 16 * 1024;      // bytes per second a body must average; then 408
  std::uint64_t http_body_buffer_per_address = 0;    // of the body buffer, one client address; 0: a quarter
  std::uint64_t http_body_spool = 1024 * 1024;       // larger bodies go to a temporary file
  std::string http_body_spool_dir;                   // empty: $TMPDIR, else /tmp
  std::uint64_t http_body_disk = std::uint64_t{1} << 30; // bytes all spooled bodies hold on disk at once
  runtime::node_name node = *runtime::node_name::parse("plugnode@localhost");
  std::uint16_t dist_port = 4370;
  std::optional<std::string> dist_addr; // unset: the address of the node name's host, else 0.0.0.0
  std::string cookie;                   // empty: none (single node)
  std::string cookie_source = "none";   // what describe prints: never the cookie itself
  std::vector<std::string> cookie_warnings;
  std::chrono::milliseconds failure_bound = 3s; // silence after which a peer is down
  std::uint64_t dist_buffer = 1024 * 1024;      // unconfirmed bytes to one peer before senders are held
  discovery_settings discovery;
  runtime::tls_files tls;      // mutual TLS on the distribution port: all three files, or none
  erlang::dist_options erlang; // BEAM nodes in the cluster: the Erlang distribution listener
  checker_config checker;
  admin_config admin;
  runtime::log_options log;
  service_settings service; // the service's own settings (service_setting.hpp)
};

// One setting as operators see it: its environment variable, its flag and its help line. The table drives
// the flags of every command and the messages naming a bad value.
struct setting {
  const char* env;
  const char* flag;
  const char* help;
};
const std::vector<setting>& settings();

// Reads one environment variable; nullopt when unset. Tests pass their own.
using env_lookup = std::function<std::optional<std::string>(const char* name)>;
env_lookup process_env();

// Values given on the command line, keyed by the environment variable they override: they win over it.
using config_flags = std::map<std::string, std::string>;

// Builds the effective configuration; throws config_error on the first bad value. Without PLUGNODE_NODE the
// node is named `<app>@<this host's name>`: the service's name.
config load_config(const config_flags& flags, const env_lookup& env, const std::string& app = "plugnode");

// Reads the service's own settings into cfg.service, the same way (flags win, a bad value throws
// config_error naming its flag or variable).
void load_service_settings(config& cfg, const std::vector<service_setting>& declared,
                           const config_flags& flags, const env_lookup& env);

} // namespace plugnode::app
