// Connecting to a node: at the port and addresses a discovery answer gave, or else at its resolved host
// (off the I/O thread) and this node's own port; a dial under the connect deadline (an authenticated dial
// without TLS, CAF's TLS connect with it), then the agent handshake. Concurrent connects to one node share
// one attempt.
#include <set>

#include <caf/actor_cast.hpp>
#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>

#include "agent/agent.hpp"
#include "dist/dist_dialer.hpp"
#include "plugnode/runtime/error_text.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/node_name.hpp"

namespace plugnode::runtime::detail {
namespace {

// Dials the first address the target came with; without any, resolves its host first, with the (possibly
// blocking) host resolver on a thread of its own.
void resolve_and_dial(agent* self, const node_name& name, const connect_target& target,
                      clock::time_point deadline) {
  dial_attempt attempt{name.to_string(), "", target.port != 0 ? target.port : self->state.cfg.port, deadline};
  if (!target.addresses.empty() || is_ip_address(name.host())) {
    attempt.address = target.addresses.empty() ? name.host() : target.addresses.front();
    return dial_by_protocol(self, attempt);
  }
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
  self->request(worker, until(deadline), caf::get_atom_v, name.host())
      .then(
          [=](const std::vector<std::string>& addresses) mutable {
            attempt.address = addresses.front();
            dial_by_protocol(self, attempt);
          },
          [=](const caf::error& err) { fail_connect(self, attempt.node, self->system().render(err)); });
}

} // namespace

void dial(agent* self, const dial_attempt& attempt) {
  // Never CAF's blocking remote_actor: it waits forever on a frozen peer. Without TLS not CAF's connect
  // either, which would speak BASP before anyone proved the cookie: the dialer authenticates the connection
  // first and hands it to BASP only then. With mutual TLS, CAF's TLS connect: the peer's certificate is
  // checked before BASP starts. The timed request can time out while BASP still completes the connection
  // later; the agent handshake then never follows, so the peer never becomes a node.
  auto connected = [=](const caf::node_id& nid, const caf::strong_actor_ptr& ptr,
                       const std::set<std::string>&) {
    if (!ptr)
      return fail_connect(self, attempt.node, "no agent published at " + attempt.address);
    if (nid == self->node())
      // Without TLS the dialer tells this node apart from another with the same id; with it, only the name
      // could, and the agent handshake that carries it needs a connection CAF does not keep.
      return fail_connect(self, attempt.node,
                          self->state.cfg.tls ? same_node_id(attempt.address, "")
                                              : attempt.address + " is this node");
    authenticate(self, attempt, nid, caf::actor_cast<caf::actor>(ptr));
  };
  // The dialer's own failures carry their reason as the context; anything else in words.
  auto failed = [=](const caf::error& err) {
    bool own = err.category() == runtime_error_category() && err.context().match_elements<std::string>();
    fail_connect(self, attempt.node, own ? err.context().get_as<std::string>(0) : error_text(err));
  };
  auto& cfg = self->state.cfg;
  auto timeout = until(attempt.deadline);
  if (cfg.tls) {
    self->request(cfg.middleman, timeout, caf::connect_atom_v, attempt.address, attempt.port)
        .then(connected, failed);
    return;
  }
  auto dialer = spawn_dialer(self->system(), dial_settings{cfg.self, cfg.cookie, cfg.basp}, attempt.deadline);
  self->request(dialer, timeout, caf::connect_atom_v, attempt.node, attempt.address, attempt.port)
      .then(connected, failed);
}

void connect_to(agent* self, const connect_target& target, std::function<void(bool)> done) {
  auto& st = self->state;
  auto canonical = target.node.to_string();
  if (canonical == st.cfg.self || st.table.knows(canonical))
    return done(true);
  auto& waiting = st.connecting[canonical];
  waiting.push_back(std::move(done));
  if (waiting.size() == 1)
    resolve_and_dial(self, target.node, target, clock::now() + st.cfg.connect_timeout);
}

void connect_to(agent* self, const std::string& name, std::function<void(bool)> done) {
  std::string error;
  auto parsed = node_name::parse(name, &error);
  if (!parsed) {
    logger().info("connect {}: {}", name, error);
    return done(false);
  }
  connect_to(self, connect_target{std::move(*parsed), 0, {}}, std::move(done));
}

void meet(agent* self, const std::vector<std::string>& names) {
  if (self->state.cfg.hidden)
    return;
  for (auto& name : names)
    if (name != self->state.cfg.self && !self->state.table.find(name))
      connect_to(self, name, [](bool) {});
}

void finish_connect(agent* self, const std::string& name, bool ok) {
  if (ok)
    self->state.last_failure.erase(name);
  auto i = self->state.connecting.find(name);
  if (i == self->state.connecting.end())
    return;
  auto waiting = std::move(i->second);
  self->state.connecting.erase(i);
  for (auto& done : waiting)
    done(ok);
}

void fail_connect(agent* self, const std::string& name, const std::string& why) {
  // The node authenticated meanwhile through its own dial of this one (both dialled at once): whatever
  // became of this side's dial, the node is connected.
  if (self->state.table.find(name))
    return finish_connect(self, name, true);
  // Discovery and meet() retry an unreachable node for as long as it is listed: rate-limited per node.
  log_limited(spdlog::level::info, "failed connects", name, fmt::format("connect {} failed: {}", name, why),
              {{"node", name}, {"reason", why}});
  auto& failures = self->state.last_failure;
  if (failures.size() >= 1024) // names from discovery answers come and go
    failures.clear();
  failures[name] = why;
  finish_connect(self, name, false);
}

} // namespace plugnode::runtime::detail
