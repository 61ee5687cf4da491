// The configuration table and load_config of config.hpp.
#include "plugnode/app/config.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "plugnode/runtime/cookie.hpp"

namespace plugnode::app {
namespace {

// A value as found, with the name to blame when it is bad: the flag when given, else the variable.
struct found {
  std::optional<std::string> value;
  std::string source;
  explicit operator bool() const { return value.has_value(); }
  const std::string& operator*() const { return *value; }
};

const setting& setting_of(const std::string& env) {
  const auto& all = settings();
  return *std::find_if(all.begin(), all.end(), [&](const setting& s) { return env == s.env; });
}

class reader {
public:
  reader(const config_flags& flags, const env_lookup& env) : flags_(flags), env_(env) {}

  found operator()(const std::string& env_name) const {
    if (auto flag = flags_.find(env_name); flag != flags_.end())
      return {flag->second, setting_of(env_name).flag};
    return {env_(env_name.c_str()), env_name};
  }

  // Sets `target` to `parse(value, source)` when the setting is given.
  template <class T, class Parse> void set(const char* env_name, T& target, Parse parse) const {
    if (auto value = (*this)(env_name))
      target = parse(*value, value.source);
  }

private:
  const config_flags& flags_;
  const env_lookup& env_;
};

// A DNS label as Kubernetes names Services and namespaces (RFC 1123), or a domain of such labels.
bool dns_name(const std::string& text, bool dots_allowed) {
  if (text.empty() || text.size() > 253 || text.front() == '-' || text.back() == '-' || text.front() == '.' ||
      text.back() == '.')
    return false;
  return std::all_of(text.begin(), text.end(), [&](unsigned char c) {
    return std::islower(c) || std::isdigit(c) || c == '-' || (dots_allowed && c == '.');
  });
}

void load_http(const reader& read, config& cfg) {
  read.set("HTTP_PORT", cfg.http_port, parse_port);
  read.set("PLUGNODE_HTTP_ADDR", cfg.http_addr, parse_ip_address);
  read.set("PLUGNODE_HTTP_DEADLINE", cfg.http_deadline, parse_duration);
  read.set("PLUGNODE_HTTP_WORKERS", cfg.http_workers,
           [](const std::string& text, const std::string& what) { return parse_count(text, what, 1, 4096); });
  read.set("PLUGNODE_HTTP_LOOPS", cfg.http_loops,
           [](const std::string& text, const std::string& what) { return parse_count(text, what, 0, 256); });
  read.set(
      "PLUGNODE_HTTP_MAX_CONNECTIONS", cfg.http_max_connections,
      [](const std::string& text, const std::string& what) { return parse_count(text, what, 1, 1000000); });
  read.set("PLUGNODE_HTTP_HEAD_TIMEOUT", cfg.http_head_timeout, parse_duration);
  read.set("PLUGNODE_HTTP_IDLE_TIMEOUT", cfg.http_idle_timeout, parse_duration);
  read.set("PLUGNODE_HTTP_BODY_BUFFER", cfg.http_body_buffer, parse_bytes);
  read.set("PLUGNODE_HTTP_BODY_MIN_RATE", cfg.http_body_min_rate, parse_bytes);
  read.set("PLUGNODE_HTTP_BODY_BUFFER_PER_ADDRESS", cfg.http_body_buffer_per_address, parse_bytes);
  read.set("PLUGNODE_HTTP_BODY_SPOOL", cfg.http_body_spool, parse_bytes);
  read.set("PLUGNODE_HTTP_BODY_SPOOL_DIR", cfg.http_body_spool_dir,
           [](const std::string& text, const std::string& what) {
             struct stat info {};
             if (text.empty() || text.front() != '/' || ::stat(text.c_str(), &info) != 0 ||
                 !S_ISDIR(info.st_mode))
               throw config_error(what + ": '" + text + "' is not an existing directory (an absolute path)");
             return text;
           });
  read.set("PLUGNODE_HTTP_BODY_DISK", cfg.http_body_disk,
           [](const std::string& text, const std::string& what) {
             return parse_bytes_up_to(text, what, std::uint64_t{1} << 40);
           });
}

void load_node(const reader& read, config& cfg, const std::string& app) {
  if (auto node = read("PLUGNODE_NODE")) {
    std::string why;
    auto parsed = runtime::node_name::parse(*node, &why);
    if (!parsed)
      throw config_error(node.source + ": '" + *node + "' is not a node name (app@host): " + why);
    cfg.node = *parsed;
  } else {
    cfg.node = runtime::node_name::local_default(app);
  }
  read.set("PLUGNODE_DIST_PORT", cfg.dist_port, parse_port);
  read.set("PLUGNODE_DIST_ADDR", cfg.dist_addr, parse_ip_address);
  read.set("PLUGNODE_FAILURE_BOUND", cfg.failure_bound, parse_duration);
  read.set("PLUGNODE_DIST_BUFFER", cfg.dist_buffer, parse_bytes);
}

void load_discovery(const reader& read, config& cfg) {
  auto& d = cfg.discovery;
  if (auto strategy = read("PLUGNODE_DISCOVERY")) {
    auto parsed = discovery::parse_strategy(*strategy);
    if (!parsed)
      throw config_error(strategy.source + ": '" + *strategy +
                         "' is not a discovery strategy (none, static, k8s-srv, k8s-a)");
    d.strategy = *parsed;
  }
  if (auto nodes = read("PLUGNODE_STATIC_NODES")) {
    std::string why;
    auto parsed = discovery::parse_static_nodes(*nodes, &why);
    if (!parsed)
      throw config_error(nodes.source + ": " + why);
    d.static_nodes = *parsed;
  }
  if (d.strategy == discovery::strategy_kind::static_list && d.static_nodes.empty())
    throw config_error("PLUGNODE_STATIC_NODES: required (comma-separated node names) when PLUGNODE_DISCOVERY "
                       "is static");
  struct name_setting {
    const char* env;
    std::string* target;
    bool dots;
  };
  for (auto [env, target, dots] :
       {name_setting{"PLUGNODE_SERVICE", &d.service.service, false},
        name_setting{"PLUGNODE_NAMESPACE", &d.service.name_space, false},
        name_setting{"PLUGNODE_PORT_NAME", &d.service.port_name, false},
        name_setting{"PLUGNODE_CLUSTER_DOMAIN", &d.service.cluster_domain, true}}) {
    if (auto value = read(env)) {
      if (!dns_name(*value, dots))
        throw config_error(value.source + ": '" + *value + "' is not a DNS " + (dots ? "domain" : "label") +
                           " (lower-case letters, digits, '-')");
      *target = *value;
    }
  }
  bool k8s = d.strategy == discovery::strategy_kind::k8s_srv || d.strategy == discovery::strategy_kind::k8s_a;
  if (k8s && d.service.service.empty())
    throw config_error(
        "PLUGNODE_SERVICE: required (the headless Service's name) when PLUGNODE_DISCOVERY is " +
        std::string(discovery::to_string(d.strategy)));
  if (auto server = read("PLUGNODE_DNS_SERVER")) {
    std::string why;
    d.dns_server = discovery::parse_nameserver(*server, &why);
    if (!d.dns_server)
      throw config_error(server.source + ": '" + *server + "' is not a DNS server (host[:port]): " + why);
  }
  read.set("PLUGNODE_POLL_INTERVAL", d.poll_interval, parse_duration);
  // A full mesh of thousands is beyond what one node should dial on an answer's say-so.
  read.set(
      "PLUGNODE_DISCOVERY_MAX_TARGETS", d.max_targets,
      [](const std::string& text, const std::string& what) { return parse_count(text, what, 1, 10000); });
}

void load_cookie(const reader& read, config& cfg) {
  runtime::cookie_sources sources;
  sources.value = read("PLUGNODE_COOKIE").value;
  sources.file = read("PLUGNODE_COOKIE_FILE").value;
  sources.erlang = read("ERLANG_COOKIE").value;
  if (auto credentials = read("CREDENTIALS_DIRECTORY").value)
    sources.credential = *credentials + "/cookie";
  sources.cluster_configured = cfg.discovery.strategy != discovery::strategy_kind::none;
  std::string why;
  auto choice = runtime::choose_cookie(sources, &why);
  if (!choice)
    throw config_error(why);
  cfg.cookie = choice->cookie;
  cfg.cookie_source = choice->cookie.empty() ? "none" : choice->source;
  cfg.cookie_warnings = choice->warnings;
}

void load_tls(const reader& read, config& cfg) {
  for (auto [env, target] :
       {std::pair{"PLUGNODE_TLS_CERT", &cfg.tls.certificate}, std::pair{"PLUGNODE_TLS_KEY", &cfg.tls.key},
        std::pair{"PLUGNODE_TLS_CA", &cfg.tls.ca}})
    if (auto path = read(env))
      *target = *path;
  if (!cfg.tls.enabled())
    return;
  if (auto why = runtime::check_tls_files(cfg.tls))
    throw config_error(*why);
}

void load_erlang(const reader& read, config& cfg) {
  read.set("PLUGNODE_ERLANG_DIST", cfg.erlang.enabled, parse_switch);
  read.set("PLUGNODE_ERLANG_DIST_PORT", cfg.erlang.port, parse_port);
  read.set("PLUGNODE_ERLANG_TICKTIME", cfg.erlang.ticktime, parse_duration);
  read.set("ERL_EPMD_PORT", cfg.erlang.epmd_port, parse_port);
  if (!cfg.erlang.enabled)
    return;
  if (cfg.cookie.empty())
    throw config_error("PLUGNODE_ERLANG_DIST: needs a cookie (PLUGNODE_COOKIE), the one BEAM nodes use");
  if (cfg.erlang.port == cfg.dist_port)
    throw config_error("PLUGNODE_ERLANG_DIST_PORT: " + std::to_string(cfg.erlang.port) +
                       " is the distribution port too (PLUGNODE_DIST_PORT)");
  if (cfg.erlang.ticktime < std::chrono::seconds(1))
    throw config_error("PLUGNODE_ERLANG_TICKTIME: '" + format_duration(cfg.erlang.ticktime) +
                       "' is shorter than Erlang's minimum of 1s");
}

void load_checker(const reader& read, config& cfg) {
  auto& c = cfg.checker;
  auto host = read("CHECK_HOST");
  auto url = read("CHECK_URL");
  if (host && url)
    throw config_error("CHECK_HOST and CHECK_URL: set only one");
  if (host)
    c.target = parse_http_host(*host, host.source);
  if (url)
    c.target = parse_http_url(*url, url.source);
  read.set("CHECK_INTERVAL", c.interval, parse_duration);
  read.set("CHECK_INIT_DELAY", c.init_delay, parse_duration);
  read.set("CHECK_TIMEOUT", c.timeout, parse_duration);
}

void load_admin(const reader& read, config& cfg) {
  auto& a = cfg.admin;
  read.set("PLUGNODE_ADMIN_ADDR", a.addr, parse_ip_address);
  read.set("PLUGNODE_ADMIN_PORT", a.port, parse_port);
  if (auto token = read("PLUGNODE_ADMIN_TOKEN")) {
    // A token short enough to guess at the rate a node answers 401s protects nothing.
    if ((*token).size() < 16)
      throw config_error(token.source + ": shorter than 16 characters");
    a.token = *token;
  }
  if (auto routes = read("PLUGNODE_OPERATOR_ROUTES")) {
    if (*routes == "public")
      a.routes = operator_routes::public_port;
    else if (*routes == "admin")
      a.routes = operator_routes::admin;
    else
      throw config_error(routes.source + ": '" + *routes + "' is not public or admin");
  }
  if (!a.port) {
    if (a.routes == operator_routes::admin)
      throw config_error("PLUGNODE_OPERATOR_ROUTES: admin needs the admin listener (PLUGNODE_ADMIN_PORT)");
    return;
  }
  if (!loopback_address(a.addr) && a.token.empty())
    throw config_error("PLUGNODE_ADMIN_TOKEN: required when the admin listener is bound off loopback "
                       "(PLUGNODE_ADMIN_ADDR " +
                       a.addr + ")");
  if (*a.port == cfg.http_port && (a.addr == cfg.http_addr || cfg.http_addr == "0.0.0.0"))
    throw config_error("PLUGNODE_ADMIN_PORT: " + std::to_string(*a.port) +
                       " is the HTTP port too (HTTP_PORT)");
}

void load_log(const reader& read, config& cfg) {
  if (auto level = read("LOG_LEVEL")) {
    auto parsed = runtime::parse_log_level(*level);
    if (!parsed)
      throw config_error(level.source + ": '" + *level +
                         "' is not a log level (trace, debug, info, warn, error, off)");
    cfg.log.level = *parsed;
  }
  if (auto format = read("LOG_FORMAT")) {
    auto parsed = runtime::parse_log_format(*format);
    if (!parsed)
      throw config_error(format.source + ": '" + *format + "' is not a log format (text, json)");
    cfg.log.format = *parsed;
  }
}

} // namespace

const std::vector<setting>& settings() {
  static const std::vector<setting> table{
      {"HTTP_PORT", "--http-port", "HTTP port (default 4000)"},
      {"PLUGNODE_HTTP_ADDR", "--http-addr", "HTTP bind address (default 0.0.0.0)"},
      {"PLUGNODE_HTTP_DEADLINE", "--http-deadline", "time a request may take before its 503 (default 30s)"},
      {"PLUGNODE_HTTP_WORKERS", "--http-workers",
       "threads running requests whose plugs may block; waiting connections need none (default 256)"},
      {"PLUGNODE_HTTP_LOOPS", "--http-loops",
       "event loops holding the connections and running the requests that never block (default 0: one per "
       "core)"},
      {"PLUGNODE_HTTP_MAX_CONNECTIONS", "--http-max-connections",
       "open HTTP connections; more are closed at once (default 20000, kept below the open-files limit)"},
      {"PLUGNODE_HTTP_HEAD_TIMEOUT", "--http-head-timeout",
       "time for a whole request head, then 408 (default 10s)"},
      {"PLUGNODE_HTTP_IDLE_TIMEOUT", "--http-idle-timeout",
       "idle keep-alive connections close after it (default 5s)"},
      {"PLUGNODE_HTTP_BODY_BUFFER", "--http-body-buffer",
       "request body bytes held in memory by all connections together; a body that does not fit waits "
       "unread, then 503 (default 64MB)"},
      {"PLUGNODE_HTTP_BODY_MIN_RATE", "--http-body-min-rate",
       "bytes per second a request body must average after its first 5s, then 408 (default 16KB)"},
      {"PLUGNODE_HTTP_BODY_BUFFER_PER_ADDRESS", "--http-body-buffer-per-address",
       "the most of the body buffer the connections of one client address hold (default: a quarter of it)"},
      {"PLUGNODE_HTTP_BODY_SPOOL", "--http-body-spool",
       "request bodies larger than this go to an unlinked temporary file, read by the plug in parts "
       "(default 1MB; at the 8MB body limit, none)"},
      {"PLUGNODE_HTTP_BODY_SPOOL_DIR", "--http-body-spool-dir",
       "directory of the temporary body files (default $TMPDIR, else /tmp; in Kubernetes an emptyDir)"},
      {"PLUGNODE_HTTP_BODY_DISK", "--http-body-disk",
       "bytes all spooled request bodies hold on disk at once; past it bodies stay in the body buffer "
       "(default 1GB, up to 1024GB)"},
      {"PLUGNODE_NODE", "--node", "node name app@host (default plugnode@$(hostname -f))"},
      {"PLUGNODE_DIST_PORT", "--dist-port", "distribution port, the same on every node (default 4370)"},
      {"PLUGNODE_DIST_ADDR", "--dist-addr", "distribution bind address (default: the node host's address)"},
      {"PLUGNODE_FAILURE_BOUND", "--failure-bound", "silence after which a peer is down (default 3s)"},
      {"PLUGNODE_DIST_BUFFER", "--dist-buffer",
       "bytes sent to a peer and not yet confirmed before senders wait (default 1MB)"},
      {"PLUGNODE_COOKIE", "--cookie", "cluster cookie (ERLANG_COOKIE is the fallback)"},
      {"PLUGNODE_COOKIE_FILE", "--cookie-file", "file holding the cluster cookie (a mounted Secret)"},
      {"ERLANG_COOKIE", "--erlang-cookie", "the starter's cookie variable, used when the others are unset"},
      {"PLUGNODE_DISCOVERY", "--discovery", "none|static|k8s-srv|k8s-a (default none)"},
      {"PLUGNODE_STATIC_NODES", "--static-nodes", "comma-separated node names for static discovery"},
      {"PLUGNODE_SERVICE", "--service", "headless Service to query (k8s-srv, k8s-a)"},
      {"PLUGNODE_NAMESPACE", "--namespace", "the Service's namespace (default default)"},
      {"PLUGNODE_PORT_NAME", "--port-name", "the Service's distribution port name (default dist)"},
      {"PLUGNODE_CLUSTER_DOMAIN", "--cluster-domain", "cluster DNS domain (default cluster.local)"},
      {"PLUGNODE_DNS_SERVER", "--dns-server", "DNS server host[:port] (default: /etc/resolv.conf)"},
      {"PLUGNODE_POLL_INTERVAL", "--poll-interval", "discovery interval after start-up (default 5s)"},
      {"PLUGNODE_DISCOVERY_MAX_TARGETS", "--discovery-max-targets",
       "peers taken from one discovery answer, 1-10000 (default 100)"},
      {"PLUGNODE_TLS_CERT", "--tls-cert", "certificate for mutual TLS on the distribution port"},
      {"PLUGNODE_TLS_KEY", "--tls-key", "private key for mutual TLS"},
      {"PLUGNODE_TLS_CA", "--tls-ca", "CA certificate(s) peers must be signed by"},
      {"PLUGNODE_ERLANG_DIST", "--erlang-dist",
       "true: BEAM nodes may join over Erlang's protocol (default false)"},
      {"PLUGNODE_ERLANG_DIST_PORT", "--erlang-dist-port", "Erlang distribution port (default 4371)"},
      {"PLUGNODE_ERLANG_TICKTIME", "--erlang-ticktime", "Erlang's net_ticktime for BEAM peers (default 60s)"},
      {"ERL_EPMD_PORT", "--epmd-port", "EPMD port, Erlang's variable (default 4369)"},
      {"CHECK_HOST", "--check-host", "host[:port] the status checker sends HTTP HEAD to (default: off)"},
      {"CHECK_URL", "--check-url", "URL the status checker sends HTTP HEAD to, instead of CHECK_HOST"},
      {"CHECK_INTERVAL", "--check-interval", "checker interval (default 30s)"},
      {"CHECK_INIT_DELAY", "--check-init-delay", "delay before the first check (default 2s)"},
      {"CHECK_TIMEOUT", "--check-timeout", "timeout of one check (default 5s)"},
      {"PLUGNODE_ADMIN_PORT", "--admin-port",
       "port of the admin listener: the dashboard, read-only (default: off; the container manifests set "
       "4001)"},
      {"PLUGNODE_ADMIN_ADDR", "--admin-addr",
       "admin listener bind address (default 127.0.0.1: reached by kubectl port-forward only)"},
      {"PLUGNODE_ADMIN_TOKEN", "--admin-token",
       "token every admin request must carry (Bearer, or Basic password); required off loopback"},
      {"PLUGNODE_OPERATOR_ROUTES", "--operator-routes",
       "public|admin: where /cluster and /status are served (default public)"},
      {"LOG_LEVEL", "--log-level", "trace|debug|info|warn|error|off (default info)"},
      {"LOG_FORMAT", "--log-format", "text|json (default text)"},
  };
  return table;
}

bool loopback_address(const std::string& address) {
  return address.rfind("127.", 0) == 0 || address == "::1";
}

env_lookup process_env() {
  return [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (value == nullptr)
      return std::nullopt;
    return std::string(value);
  };
}

config load_config(const config_flags& flags, const env_lookup& env, const std::string& app) {
  reader read(flags, env);
  config cfg;
  load_http(read, cfg);
  load_node(read, cfg, app);
  load_discovery(read, cfg);
  load_cookie(read, cfg);
  load_tls(read, cfg);
  load_erlang(read, cfg);
  load_checker(read, cfg);
  load_admin(read, cfg);
  load_log(read, cfg);
  return cfg;
}

void load_service_settings(config& cfg, const std::vector<service_setting>& declared,
                           const config_flags& flags, const env_lookup& env) {
  for (const auto& s : declared) {
    if (auto flag = flags.find(s.env); flag != flags.end())
      cfg.service.set(s, flag->second, s.flag);
    else if (auto value = env(s.env.c_str()))
      cfg.service.set(s, *value, s.env);
    else if (!s.default_value.empty())
      cfg.service.set(s, s.default_value, s.env + "'s default");
    else
      cfg.service.unset(s);
  }
}

} // namespace plugnode::app
