// The node: configuration of CAF (scheduler, heartbeats, TLS), start-up checks, publishing, leaving.
#include "plugnode/runtime/node.hpp"

#include <signal.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/io/middleman.hpp>
#include <caf/openssl/manager.hpp>
#include <caf/openssl/publish.hpp>
#include <caf/scoped_actor.hpp>

#include "agent/node_agent.hpp"
#include "dist/basp_handoff.hpp"
#include "dist/broker_end.hpp"
#include "dist/dist_listener.hpp"
#include "entities/region.hpp"
#include "flow/dist_flow.hpp"
#include "flow/peer_directory.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/ask.hpp"
#include "plugnode/runtime/entities.hpp"
#include "plugnode/runtime/groups.hpp"
#include "plugnode/runtime/handshake.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/pubsub.hpp"
#include "pubsub/server.hpp"
#include "pubsub/topic_table.hpp"

namespace plugnode::runtime {
namespace detail {
extern bool openssl_error_queue_fix; // see openssl_error_queue.cpp
} // namespace detail
namespace {

caf::timespan to_timespan(std::chrono::milliseconds ms) {
  return std::chrono::duration_cast<caf::timespan>(ms);
}

// Every plain TCP write of the node passes MSG_NOSIGNAL, so a program embedding it may leave SIGPIPE at its
// default (the end of the process). OpenSSL's socket writes do not (write(2)): with TLS on, a peer closing
// its socket would end such a program, so the node then ignores SIGPIPE, unless the program handles it.
void ignore_sigpipe_if_fatal() {
  struct sigaction current {};
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    ::signal(SIGPIPE, SIG_IGN);
    logger().info("SIGPIPE is ignored from now on: TLS writes could raise it");
  }
}

std::unique_ptr<caf::actor_system_config> make_config(const node_options& options) {
  auto cfg = std::make_unique<caf::actor_system_config>();
  cfg->load<caf::io::middleman>();
  if (options.tls.enabled() && detail::openssl_error_queue_fix) {
    cfg->load<caf::openssl::manager>();
    cfg->set("openssl.certificate", options.tls.certificate);
    cfg->set("openssl.key", options.tls.key);
    cfg->set("openssl.cafile", options.tls.ca);
    if (!options.tls.passphrase.empty())
      cfg->set("openssl.passphrase", options.tls.passphrase);
  }
  if (options.fast_scheduler) {
    cfg->set("scheduler.policy", caf::atom("sharing"));
    cfg->set("middleman.workers", std::size_t{0});
  }
  if (options.scheduler_threads > 0)
    cfg->set("scheduler.max-threads", options.scheduler_threads);
  // CAF's BASP heartbeats keep idle connections busy, but its connection-timeout stays off: CAF 0.17 creates
  // the context of an outgoing connection with last_seen at the clock's epoch, so any tick that comes before
  // the peer's handshake (likely with TLS, which takes 15-95 ms) drops the new connection as timed out. The
  // agent's own heartbeats detect silent peers instead, and name the reason.
  cfg->set("middleman.heartbeat-interval", to_timespan(options.heartbeat_interval));
  cfg->set("middleman.connection-timeout", caf::timespan{0});
  cfg->set("middleman.app-identifiers", std::vector<std::string>{"plugnode-1"});
  cfg->add_message_type<connect_target>("plugnode::connect_target");
  cfg->add_message_type<node_kinds>("plugnode::node_kinds");
  cfg->add_message_type<peer_info>("plugnode::peer_info");
  cfg->add_message_type<std::vector<peer_info>>("std::vector<plugnode::peer_info>");
  cfg->add_message_type<group_members>("plugnode::group_members");
  cfg->add_message_type<std::vector<group_members>>("std::vector<plugnode::group_members>");
  cfg->add_message_type<node_members>("plugnode::node_members");
  cfg->add_message_type<std::vector<node_members>>("std::vector<plugnode::node_members>");
  cfg->add_message_type<entity_figures>("plugnode::entity_figures");
  cfg->add_message_type<std::vector<entity_figures>>("std::vector<plugnode::entity_figures>");
  cfg->add_error_category(runtime_error_category(), render_runtime_error);
  if (options.message_types)
    options.message_types(*cfg);
  return cfg;
}

std::string bind_address_for(const node_options& options) {
  if (!options.bind_address.empty())
    return options.bind_address;
  if (is_ip_address(options.name.host()))
    return options.name.host();
  auto found = options.resolver(options.name.host());
  return found.addresses.empty() ? "0.0.0.0" : found.addresses.front();
}

// A function of its own so that no handle to CAF's BASP broker outlives it: a failed start destroys the
// actor system, which waits for every actor still referenced.
std::unique_ptr<detail::dist_listener> open_listener(caf::actor_system& system, const node_options& options,
                                                     const std::string& address, const caf::actor& agent,
                                                     std::string& error) {
  detail::listen_settings listen;
  listen.address = address;
  listen.port = options.port;
  listen.self = options.name.to_string();
  listen.cookie = options.cookie;
  listen.handshake_timeout = options.connect_timeout;
  listen.agent = agent;
  listen.basp = detail::basp_broker(system);
  return detail::dist_listener::open(system, std::move(listen), error);
}

} // namespace

node::node(node_options options) : options_(std::move(options)) {}

node::~node() {
  if (!system_)
    return;
  leave();
  shut_down();
}

// The agent and the flow actor are brokers: one told to exit just before the middleman stops may never run
// again, and then it and its mailbox leak (a start that failed to listen did so under ASan). So the system
// goes only after the brokers' down messages, or a bound.
void node::shut_down() {
  {
    caf::scoped_actor self{*system_};
    for (auto* broker : {&agent_, &flow_}) {
      self->monitor(*broker);
      self->send_exit(*broker, caf::exit_reason::user_shutdown);
      self->receive([](const caf::down_msg&) {}, caf::after(std::chrono::seconds(2)) >> [] {});
    }
  }
  agent_ = nullptr;
  flow_ = nullptr;
  group_scope_ = nullptr;
  for (auto* actor : {&pubsub_, &entities_}) {
    if (*actor)
      caf::anon_send_exit(*actor, caf::exit_reason::user_shutdown);
    *actor = nullptr;
  }
  system_.reset();
}

std::optional<std::string> node::start() {
  if (system_)
    return std::string("node already started");
  if (options_.listen && options_.cookie.empty())
    return std::string("no cookie: a node that listens for peers needs one (PLUGNODE_COOKIE)");
  if (options_.heartbeat_interval.count() <= 0 || options_.failure_bound <= options_.heartbeat_interval)
    return std::string("the failure bound must be longer than the heartbeat interval");
  if (options_.dist_buffer < 1024)
    return std::string("the distribution buffer must be at least 1024 bytes");
  if (options_.tls.enabled()) {
    if (auto problem = check_tls_files(options_.tls))
      return problem;
    ignore_sigpipe_if_fatal();
  }
  if (!options_.resolver)
    options_.resolver = resolve_with_getaddrinfo;
  if (!options_.on_fatal)
    options_.on_fatal = [](const std::string& reason) {
      logger().critical("stopping the node: {}", reason);
      logger().flush();
      std::_Exit(1);
    };
  incarnation_ = make_incarnation();
  config_ = make_config(options_);
  system_ = std::make_unique<caf::actor_system>(*config_);
  detail::end_like_an_actor(detail::basp_broker(*system_));
  detail::agent_settings settings;
  settings.self = options_.name.to_string();
  settings.incarnation = incarnation_;
  settings.cookie = options_.cookie;
  settings.hidden = options_.hidden;
  settings.port = options_.port;
  settings.heartbeat_interval = options_.heartbeat_interval;
  settings.failure_bound = options_.failure_bound;
  settings.connect_timeout = options_.connect_timeout;
  settings.resolver = options_.resolver;
  directory_ = std::make_shared<detail::peer_directory>();
  // A mark unanswered this long is asked again: a peer that slow is alive (else the agent's nodedown
  // closes its budget), its confirmation just sits behind a full buffer.
  flow_ = detail::spawn_dist_flow(*system_, 10 * options_.failure_bound, detail::basp_broker(*system_));
  directory_->use_flow(flow_, options_.dist_buffer);
  settings.directory = directory_;
  settings.middleman = options_.tls.enabled() ? system_->openssl_manager().actor_handle()
                                              : system_->middleman().actor_handle();
  settings.basp = detail::basp_broker(*system_);
  settings.tls = options_.tls.enabled();
  agent_ = detail::spawn_node_agent(*system_, std::move(settings));
  // Clearing here, while the system still runs: remote proxies must not outlive it.
  agent_->attach_functor([sys = system_.get(), directory = directory_](const caf::error& reason) {
    directory->clear();
    if (reason && reason != caf::exit_reason::user_shutdown)
      logger().error("node agent stopped: {}", sys->render(reason));
  });
  // Before listening: a peer that connects finds the scope at once.
  if (auto error = start_cluster_state()) {
    shut_down();
    return error;
  }
  if (!options_.listen)
    return std::nullopt;
  bind_address_ = bind_address_for(options_);
  if (auto error = listen()) {
    auto reason = "cannot listen on " + bind_address_ + ":" + std::to_string(options_.port) + ": " + *error;
    shut_down();
    return reason;
  }
  logger().info("node {} listening on {}:{}{} (incarnation {:x})", options_.name.to_string(), bind_address_,
                port_, options_.tls.enabled() ? " with mutual TLS" : "", incarnation_);
  if (options_.erlang)
    if (auto error = start_side()) {
      shut_down();
      return error;
    }
  return std::nullopt;
}

// Without TLS plugnode's own listener, which hands CAF's BASP only connections that proved the cookie. With
// mutual TLS, CAF's TLS publish: a peer without a certificate of the CA never gets past the TLS handshake,
// and the cookie is checked by the agents (docs/architecture.md, "Authentication before BASP").
std::optional<std::string> node::listen() {
  if (options_.tls.enabled()) {
    auto published = caf::openssl::publish(agent_, options_.port, bind_address_.c_str(), true);
    if (!published)
      return system_->render(published.error());
    port_ = *published;
    return std::nullopt;
  }
  std::string error;
  listener_ = open_listener(*system_, options_, bind_address_, agent_, error);
  if (!listener_)
    return error;
  port_ = listener_->port();
  return std::nullopt;
}

std::optional<std::string> node::start_cluster_state() {
  auto scope = start_scope(*this, default_scope);
  if (!scope)
    return "cannot start the group scope: " + system_->render(scope.error());
  group_scope_ = *scope;
  auto topics_scope = start_scope(*this, pubsub_scope);
  if (!topics_scope)
    return "cannot start the pub/sub scope: " + system_->render(topics_scope.error());
  topics_ = std::make_shared<detail::topic_table>();
  pubsub_ = detail::spawn_pubsub_server(*system_, topics_, *topics_scope);
  caf::scoped_actor self{*system_};
  auto named = ask<bool>(*self.ptr(), agent_, std::chrono::seconds(2), register_atom_v,
                         std::string("pubsub_server"), pubsub_);
  if (!named || !*named)
    return std::string("cannot register the pub/sub server");
  auto regions_scope = start_scope(*this, entities_scope);
  if (!regions_scope)
    return "cannot start the entities scope: " + system_->render(regions_scope.error());
  entities_ =
      detail::spawn_region(*system_, {this, options_.entity_types, *regions_scope, options_.failure_bound});
  named = ask<bool>(*self.ptr(), agent_, std::chrono::seconds(2), register_atom_v,
                    std::string("entity_region"), entities_);
  if (!named || !*named)
    return std::string("cannot register the entity region");
  return std::nullopt;
}

std::optional<std::string> node::start_side() {
  side_context context{options_.name, options_.cookie,  bind_address_, incarnation_, options_.connect_timeout,
                       agent_,        options_.resolver};
  std::string error;
  side_ = options_.erlang(*system_, context, error);
  if (!side_)
    return error;
  caf::scoped_actor self{*system_};
  self->request(agent_, std::chrono::seconds(2), register_atom_v, std::string(side_->registered_name()),
                side_->front())
      .receive([](bool) {}, [&](const caf::error& e) { error = system_->render(e); });
  if (!error.empty())
    return std::string("cannot register the ") + side_->registered_name() + " side: " + error;
  // The agent connects, lists and reports the side's nodes too from now on.
  self->send(agent_, detail::side_atom_v, side_->front(), side_->prober());
  return std::nullopt;
}

caf::actor_system& node::system() {
  return *system_;
}

void node::leave(std::chrono::milliseconds bound) {
  if (left_ || !system_)
    return;
  left_ = true;
  caf::scoped_actor self{*system_};
  // The region answers once every key's hand-over is acknowledged or has failed, each hand-over being two
  // requests bounded by the failure bound (the entity's state, the next owner's take): waiting less than
  // that for the region, as before, lost the keys still on their way when a loaded machine was slow.
  if (entities_)
    self->request(entities_, 3 * options_.failure_bound, ent_leave_atom_v)
        .receive([](bool) {}, [](const caf::error&) {});
  self->request(agent_, bound, caf::leave_atom_v).receive([](bool) {}, [](const caf::error&) {});
  listener_.reset();
  side_.reset(); // BEAM peers see nodedown now, not after their net_ticktime
  if (options_.listen && port_ != 0)
    system_->middleman().unpublish(agent_, port_);
}

caf::actor node::supervise(std::vector<child_spec> children, std::size_t max_restarts,
                           std::chrono::milliseconds period) {
  supervisor_options options;
  options.max_restarts = max_restarts;
  options.period = period;
  options.registry = agent_;
  options.on_give_up = options_.on_fatal;
  return spawn_supervisor(*system_, std::move(options), std::move(children));
}

caf::expected<caf::actor> node::remote_agent(const std::string& target, std::chrono::milliseconds timeout) {
  caf::scoped_actor self{*system_};
  return ask<caf::actor>(*self.ptr(), agent_, timeout, agent_atom_v, target);
}

caf::actor node::connected_agent(const std::string& target) const {
  return directory_ ? directory_->find(target) : caf::actor{};
}

node_options hidden_client_options(std::uint16_t port, std::string cookie) {
  node_options options;
  auto app = "remsh-" + std::to_string(::getpid()) + "-" + std::to_string(make_incarnation() % 100000);
  options.name = *node_name::parse(app + "@localhost");
  options.port = port;
  options.cookie = std::move(cookie);
  options.listen = false;
  options.hidden = true;
  return options;
}

} // namespace plugnode::runtime
