// The wiring of node_wiring.hpp.
#include "plugnode/app/node_wiring.hpp"

#include <prometheus/registry.h>

#include "plugnode/app/checker.hpp"
#include "plugnode/app/erlang_rpc.hpp"
#include "plugnode/app/message_types.hpp"
#include "plugnode/app/registered_names.hpp"
#include "plugnode/app/shell_service.hpp"
#include "plugnode/discovery/discovery_actor.hpp"
#include "plugnode/discovery/dns_host_resolver.hpp"
#include "plugnode/erlang/side.hpp"
#include "plugnode/runtime/log_limiter.hpp"

namespace plugnode::app {
namespace {

// The servers and search list of /etc/resolv.conf, or PLUGNODE_DNS_SERVER in their place.
discovery::resolver_config resolver_config_of(const config& cfg) {
  discovery::resolver_config resolver;
  if (auto resolv = discovery::load_resolv_conf())
    resolver = *resolv;
  if (cfg.discovery.dns_server)
    resolver.nameservers = {*cfg.discovery.dns_server};
  return resolver;
}

discovery::discovery_config discovery_config_of(const config& cfg) {
  discovery::discovery_config d{cfg.node, {}, {}, {}};
  d.strategy.kind = cfg.discovery.strategy;
  d.strategy.service = cfg.discovery.service;
  d.strategy.static_nodes = cfg.discovery.static_nodes;
  d.strategy.app = cfg.node.app();
  d.strategy.dist_port = cfg.dist_port;
  d.resolver = resolver_config_of(cfg);
  d.poll.interval = cfg.discovery.poll_interval;
  d.poll.max_targets = cfg.discovery.max_targets;
  return d;
}

// The Erlang side (off unless cfg says so), exporting to BEAM nodes the `plugnode` rpc module and the actors
// among `actors` marked `beam`.
runtime::side_starter beam_side(const config& cfg, const std::vector<service_actor>& actors) {
  auto beam = cfg.erlang;
  beam.exported.insert(erlang_rpc_name);
  for (const auto& actor : actors)
    if (actor.beam)
      beam.exported.insert(actor.name);
  return erlang::side(beam);
}

} // namespace

runtime::node_options node_options_of(const config& cfg) {
  runtime::node_options options;
  options.name = cfg.node;
  options.bind_address = cfg.dist_addr.value_or("");
  options.port = cfg.dist_port;
  // Without a cookie nobody could authenticate: a single node, with nothing published.
  options.listen = !cfg.cookie.empty();
  options.cookie = cfg.cookie;
  options.tls = cfg.tls;
  options.erlang = beam_side(cfg, {});
  options.failure_bound = cfg.failure_bound;
  options.dist_buffer = cfg.dist_buffer;
  options.heartbeat_interval = std::min(options.heartbeat_interval, cfg.failure_bound / 3);
  options.resolver = peer_host_resolver(cfg);
  return options;
}

runtime::node_options node_options_of(const config& cfg, const service& app) {
  auto options = node_options_of(cfg);
  options.erlang = beam_side(cfg, app.actors);
  options.message_types = add_message_types(app.message_types);
  options.entity_types = app.entities;
  return options;
}

runtime::host_resolver peer_host_resolver(const config& cfg) {
  if (cfg.discovery.dns_server)
    return discovery::dns_host_resolver(resolver_config_of(cfg));
  return runtime::resolve_with_getaddrinfo;
}

node_wiring wire_node(runtime::node& node, const config& cfg,
                      const std::shared_ptr<prometheus::Registry>& registry, std::function<void()> stop,
                      const service& app) {
  node_wiring wiring;
  auto& services = wiring.services;
  services.node = cfg.node.to_string();
  services.incarnation = node.incarnation();
  services.agent = node.agent();
  services.entities = node.entities();
  services.groups = node.group_scope();
  services.pubsub = node.pubsub();
  services.runtime_node = &node;
  services.metrics = plugs::metrics(registry);
  services.process = std::make_shared<process_metrics>(*registry);
  runtime::count_log_limits_in(registry);
  services.dist = std::make_shared<dist_metrics>(*registry, node);
  std::vector<std::string> declared;
  for (const auto& type : app.message_types)
    declared.push_back(type.name);
  services.message_types = std::make_shared<const std::set<std::string>>(declared.begin(), declared.end());
  services.settings = std::make_shared<const service_settings>(cfg.service);
  services.state = std::make_shared<cluster_state_metrics>(*registry, node);
  shell_context shell{services, std::move(stop), app.commands};
  std::vector<runtime::child_spec> children{
      {discovery_name,
       [dcfg = discovery_config_of(cfg), agent = node.agent(), registry](caf::actor_system& sys) {
         return discovery::spawn_discovery(sys, dcfg, agent, *registry);
       }},
      {checker_name, [checker = cfg.checker,
                      registry](caf::actor_system& sys) { return spawn_checker(sys, checker, registry); }},
      {shell_name, [shell](caf::actor_system& sys) { return spawn_shell_service(sys, shell); }},
      {erlang_rpc_name, [shell](caf::actor_system& sys) { return spawn_erlang_rpc(sys, shell); }},
      {types_name, [declared](caf::actor_system& sys) { return spawn_declared_types(sys, declared); }},
  };
  for (const auto& actor : app.actors)
    children.push_back(
        {actor.name, [start = actor.start, services](caf::actor_system& sys) { return start(sys, services); },
         runtime::restart_limit{actor.max_restarts, actor.max_seconds}});
  wiring.supervisor = node.supervise(std::move(children));
  return wiring;
}

} // namespace plugnode::app
