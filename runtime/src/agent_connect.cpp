// Connecting to a node: resolve its host (off the I/O thread), dial it under the connect deadline (an
// authenticated dial without TLS, CAF's TLS connect with it), then the agent handshake. Concurrent connects
// to one node share one attempt.
#include <set>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "agent.hpp"
#include "dist_dialer.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::runtime::detail {
namespace {

// Runs the (possibly blocking) host resolver on a thread of its own, then dials the first address.
void resolve_and_dial(agent* self, const node_name& target, clock::time_point deadline) {
  auto name = target.to_string();
  if (is_ip_address(target.host()))
    return dial(self, name, target.host(), deadline);
  // The resolver goes in as a spawn argument, not a capture: CAF 0.17 dereferences a null argument tuple
  // when a function actor is spawned without arguments (undefined behaviour UBSan stops on).
  auto worker = self->spawn<caf::detached>(
      [](caf::event_based_actor* me, host_resolver lookup) -> caf::behavior {
        return {
            [me, lookup](caf::get_atom, const std::string& host) -> caf::result<std::vector<std::string>> {
              me->quit();
              auto found = lookup(host);
              if (found.addresses.empty())
                return make_runtime_error(runtime_errc::connect_failed, found.error);
              return found.addresses;
            }};
      },
      self->state.cfg.resolver);
  self->request(worker, until(deadline), caf::get_atom_v, target.host())
      .then([=](const std::vector<std::string>& addresses) { dial(self, name, addresses.front(), deadline); },
            [=](const caf::error& err) { fail_connect(self, name, self->system().render(err)); });
}

} // namespace

void dial(agent* self, const std::string& target, const std::string& address, clock::time_point deadline) {
  // Never CAF's blocking remote_actor: it waits forever on a frozen peer. Without TLS not CAF's connect
  // either, which would speak BASP before anyone proved the cookie: the dialer authenticates the connection
  // first and hands it to BASP only then. With mutual TLS, CAF's TLS connect: the peer's certificate is
  // checked before BASP starts. The timed request can time out while BASP still completes the connection
  // later; the agent handshake then never follows, so the peer never becomes a node.
  auto connected = [=](const caf::node_id& nid, const caf::strong_actor_ptr& ptr,
                       const std::set<std::string>&) {
    if (!ptr)
      return fail_connect(self, target, "no agent published at " + address);
    if (nid == self->node())
      return fail_connect(self, target, address + " is this node");
    authenticate(self, target, nid, caf::actor_cast<caf::actor>(ptr), address, deadline);
  };
  auto failed = [=](const caf::error& err) { fail_connect(self, target, self->system().render(err)); };
  auto& cfg = self->state.cfg;
  if (cfg.tls) {
    self->request(cfg.middleman, until(deadline), caf::connect_atom_v, address, cfg.port)
        .then(connected, failed);
    return;
  }
  auto dialer = spawn_dialer(self->system(), dial_settings{cfg.self, cfg.cookie, cfg.basp}, deadline);
  self->request(dialer, until(deadline), caf::connect_atom_v, target, address, cfg.port)
      .then(connected, failed);
}

void connect_to(agent* self, const std::string& name, std::function<void(bool)> done) {
  auto& st = self->state;
  std::string error;
  auto target = node_name::parse(name, &error);
  if (!target) {
    logger().info("connect {}: {}", name, error);
    return done(false);
  }
  auto canonical = target->to_string();
  if (canonical == st.cfg.self || st.table.find(canonical))
    return done(true);
  auto& waiting = st.connecting[canonical];
  waiting.push_back(std::move(done));
  if (waiting.size() == 1)
    resolve_and_dial(self, *target, clock::now() + st.cfg.connect_timeout);
}

void meet(agent* self, const std::vector<std::string>& names) {
  if (self->state.cfg.hidden)
    return;
  for (auto& name : names)
    if (name != self->state.cfg.self && !self->state.table.find(name))
      connect_to(self, name, [](bool) {});
}

void finish_connect(agent* self, const std::string& name, bool ok) {
  auto i = self->state.connecting.find(name);
  if (i == self->state.connecting.end())
    return;
  auto waiting = std::move(i->second);
  self->state.connecting.erase(i);
  for (auto& done : waiting)
    done(ok);
}

void fail_connect(agent* self, const std::string& name, const std::string& why) {
  // Discovery and meet() retry an unreachable node for as long as it is listed: rate-limited per node.
  log_limited(spdlog::level::info, "failed connects", name, fmt::format("connect {} failed: {}", name, why),
              {{"node", name}, {"reason", why}});
  finish_connect(self, name, false);
}

} // namespace plugnode::runtime::detail
