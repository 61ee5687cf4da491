// Set-up, accept and tear-down of erlang_dist.hpp.
#include "dist/erlang_dist.hpp"

#include <arpa/inet.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <fmt/format.h>

#include "dist/ei_callbacks.hpp"
#include "dist/erlang_gate.hpp"
#include "dist/erlang_nodes.hpp"
#include "dist/erlang_peer.hpp"
#include "epmd/epmd_probe.hpp"
#include "epmd/epmd_responder.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "runtime_names.hpp"

namespace plugnode::erlang::detail {
namespace {

// The gate keeps silent and garbage clients from them; a client that sends a whole first message and then
// stalls holds one until the handshake's total deadline at most, or until the gate evicts it for a client
// waiting (erlang_gate.hpp); at most two per address run or wait at once.
constexpr std::size_t acceptor_count = 8;

void init_ei_once() {
  static std::once_flag once;
  std::call_once(once, [] { ei_init(); });
}

} // namespace

std::unique_ptr<erlang_dist> erlang_dist::start(caf::actor_system& system, erlang_dist_settings settings,
                                                std::string& error) {
  init_ei_once();
  if (settings.cookie.size() > EI_MAX_COOKIE_SIZE) {
    error = "the cookie is longer than Erlang's limit of " + std::to_string(EI_MAX_COOKIE_SIZE) + " bytes";
    return nullptr;
  }
  in_addr addr{};
  if (::inet_pton(AF_INET, settings.bind_address.c_str(), &addr) != 1) {
    error = "Erlang distribution needs an IPv4 bind address, not '" + settings.bind_address + "'";
    return nullptr;
  }
  std::unique_ptr<erlang_dist> dist(new erlang_dist(system, std::move(settings)));
  auto& s = dist->settings_;
  // Erlang's creation tells two starts of one node apart, as plugnode's incarnation does; never 0.
  auto creation = static_cast<unsigned>(s.incarnation & 0x7fffffff) | 1u;
  if (ei_connect_xinit_ussi(&dist->ec_, s.name.host().c_str(), s.name.app().c_str(),
                            s.name.to_string().c_str(), &addr, s.cookie.c_str(), creation,
                            plugnode_socket_callbacks(), sizeof(ei_socket_callbacks), nullptr) < 0) {
    error = "erl_interface refused the node name " + s.name.to_string();
    return nullptr;
  }
  int port = s.options.port;
  dist->listen_fd_ = ei_xlisten(&dist->ec_, &addr, &port, 64);
  if (dist->listen_fd_ < 0) {
    error = "cannot listen on " + s.bind_address + ":" + std::to_string(s.options.port) +
            " (Erlang distribution)";
    return nullptr;
  }
  dist->port_ = static_cast<std::uint16_t>(port);
  if (!contexts_are_descriptors()) {
    error = "this erl_interface does not use descriptors as socket contexts; the Erlang gate needs them";
    return nullptr;
  }
  ::fcntl(dist->listen_fd_, F_SETFL, ::fcntl(dist->listen_fd_, F_GETFL) | O_NONBLOCK);
  dist->gate_ = std::make_unique<erlang_gate>(dist->listen_fd_, acceptor_count);
  take_accepts_from(dist->listen_fd_, dist->gate_.get());
  // ei_publish (registration with a real epmd) reads Erlang's variable, not an argument.
  if (s.options.epmd_port != 4369)
    ::setenv("ERL_EPMD_PORT", std::to_string(s.options.epmd_port).c_str(), 1);
  dist->epmd_ =
      epmd_responder::start(s.bind_address, s.options.epmd_port, s.name.app(), dist->port_, dist->ec_, error);
  if (!dist->epmd_)
    return nullptr;
  dist->front_ = spawn_erlang_nodes(
      system, erlang_nodes_settings{
                  s.name.to_string(), dist->nodes_,
                  [d = dist.get()](const std::string& node, const std::string& address,
                                   std::uint16_t at_port) { return d->dial(node, address, at_port); },
                  s.options.epmd_port});
  dist->prober_ = spawn_epmd_prober(system, s.options.epmd_port);
  for (std::size_t i = 0; i < acceptor_count; ++i)
    dist->acceptors_.emplace_back([d = dist.get()] { d->accept_loop(); });
  runtime::logger().info("erlang distribution for {} on {}:{} (EPMD: {}, net_ticktime {} s)",
                         s.name.to_string(), s.bind_address, dist->port_, dist->epmd_->mode(),
                         s.options.ticktime.count() / 1000.0);
  return dist;
}

erlang_dist::erlang_dist(caf::actor_system& system, erlang_dist_settings settings)
    : system_(system), settings_(std::move(settings)) {}

erlang_dist::~erlang_dist() {
  stop_ = true;
  if (gate_)
    gate_->stop(); // wakes the acceptors waiting in ei_accept for a connection
  for (auto& t : acceptors_)
    t.join();
  if (gate_) {
    take_accepts_from(listen_fd_, nullptr);
    gate_.reset();
  }
  epmd_.reset();
  if (prober_)
    caf::anon_send_exit(prober_, caf::exit_reason::user_shutdown);
  if (front_) {
    // The front actor dials through this object: it must be gone before this object is.
    caf::scoped_actor self{system_};
    self->monitor(front_);
    self->send_exit(front_, caf::exit_reason::user_shutdown);
    self->receive([](const caf::down_msg&) {}, caf::after(std::chrono::seconds(2)) >> [] {});
  }
  nodes_->close_all("node stopping", std::chrono::seconds(2));
  if (listen_fd_ >= 0)
    ei_close_connection(listen_fd_);
}

const std::string& erlang_dist::epmd_mode() const {
  return epmd_->mode();
}

namespace {

// Why ei's handshake failed, from its erl_errno: ei sets EIO when the challenge reply does not match the
// cookie (and when a handshake message is malformed, the peer closes, or the gate evicts it), ETIMEDOUT
// when the peer is slow.
std::string handshake_failure(int err) {
  switch (err) {
  case EIO: return "a wrong cookie (the challenge reply did not match), a broken handshake or an eviction";
  case ETIMEDOUT: return "no complete handshake within the timeout";
  default: return std::strerror(err);
  }
}

} // namespace

void erlang_dist::accept_loop() {
  while (!stop_) {
    last_accepted_peer().clear();
    last_accepted_address().clear();
    ErlConnect peer{};
    int fd =
        ei_accept_tmo(&ec_, listen_fd_, &peer, static_cast<unsigned>(settings_.handshake_timeout.count()));
    handshake_over(fd >= 0);
    if (fd >= 0) {
      adopt(fd, peer.nodename, "from " + last_accepted_peer());
    } else if (!stop_ && !last_accepted_peer().empty()) {
      // ei's accept reads the peer's name (send_name) into `peer` before it checks the cookie.
      peer.nodename[sizeof peer.nodename - 1] = '\0';
      std::string who = peer.nodename[0] ? std::string(" (node ") + peer.nodename + ")" : "";
      runtime::log_limited(spdlog::level::warn, "failed Erlang handshakes", last_accepted_address(),
                           fmt::format("erlang: handshake with {}{} failed: {} (erl_errno {})",
                                       last_accepted_peer(), who, handshake_failure(erl_errno), erl_errno));
    }
  }
}

void erlang_dist::adopt(int fd, const std::string& peer_node, const std::string& peer_address) {
  auto connection =
      std::make_shared<erlang_connection>(fd, peer_node, peer_address, settings_.options.ticktime);
  auto route = std::make_shared<direct_route>(system_, connection, settings_.options.exported);
  auto peer =
      spawn_erlang_peer(system_, connection, route, settings_.agent,
                        pid{settings_.name.to_string(), 0, 0, ec_.creation}, settings_.options.exported);
  nodes_->add({connection, peer});
  runtime::logger().info("erlang: node up: {} ({})", peer_node, peer_address);
  caf::anon_send(front_, nodeup_atom_v, peer_node);
  // The reader's own reference keeps the connection alive; the close callback must not hold another.
  connection->start(
      [peer, route](dist_message msg) {
        std::string name;
        switch (route->take(msg, name)) {
        case direct_route::taken::delivered: return;
        case direct_route::taken::to_peer_counted:
          return caf::anon_send(peer, handed_over_atom_v, std::move(name), std::move(msg));
        case direct_route::taken::to_peer: return caf::anon_send(peer, std::move(msg));
        }
      },
      [nodes = nodes_, front = caf::actor_cast<caf::weak_actor_ptr>(front_), peer,
       weak = std::weak_ptr<erlang_connection>(connection)](const std::string& reason) {
        caf::anon_send_exit(peer, caf::exit_reason::user_shutdown);
        if (auto self = weak.lock()) {
          runtime::logger().info("erlang: node down: {} ({})", self->peer_node(), reason);
          nodes->remove(self);
          if (auto f = caf::actor_cast<caf::actor>(front))
            caf::anon_send(f, nodedown_atom_v, self->peer_node(), reason);
        }
      });
}

std::string erlang_dist::dial(const std::string& node, const std::string& address, std::uint16_t port) {
  auto name = node_name::parse(node);
  if (!name)
    return "not a node name";
  auto where = address;
  if (where.empty()) {
    auto found = (settings_.resolver ? settings_.resolver : runtime::resolve_with_getaddrinfo)(name->host());
    if (found.addresses.empty())
      return "cannot resolve " + name->host() + ": " + found.error;
    where = found.addresses.front();
  }
  in_addr ipv4{};
  if (::inet_pton(AF_INET, where.c_str(), &ipv4) != 1)
    return where + " is not an IPv4 address (erl_interface dials IPv4 only)";
  if (port == 0)
    port = probe_epmd(where, settings_.options.epmd_port, name->app(), std::chrono::seconds(1)).dist_port;
  if (port == 0)
    return "no EPMD answer for " + name->app() + " at " + where + ":" +
           std::to_string(settings_.options.epmd_port);
  int fd = ei_xconnect_host_port_tmo(&ec_, &ipv4, port,
                                     static_cast<unsigned>(settings_.handshake_timeout.count()));
  handshake_over(fd >= 0);
  if (fd < 0)
    return "Erlang's handshake with " + where + ":" + std::to_string(port) +
           " failed: " + handshake_failure(erl_errno) + " (erl_errno " + std::to_string(erl_errno) + ")";
  adopt(fd, node, "to " + where + ":" + std::to_string(port));
  return "";
}

} // namespace plugnode::erlang::detail
