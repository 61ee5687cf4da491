// The discovery actor and its detached DNS worker; see discovery_actor.hpp.
#include "plugnode/discovery/discovery_actor.hpp"

#include <memory>
#include <string>
#include <vector>

#include <caf/all.hpp>

#include "plugnode/discovery/cluster_view.hpp"
#include "plugnode/discovery/discovery_metrics.hpp"
#include "plugnode/discovery/discovery_protocol.hpp"
#include "plugnode/discovery/dns_client.hpp"
#include "plugnode/discovery/nslookup.hpp"
#include "plugnode/discovery/peer_lookup.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/erlang_protocol.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugnode::discovery {

// One lookup's outcome, passed from the worker to the discovery actor on the same node only.
struct lookup_outcome {
  dns_result<std::vector<peer>> result;
};

} // namespace plugnode::discovery

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plugnode::discovery::lookup_outcome)

namespace plugnode::discovery {
namespace {

using lookup_atom = caf::atom_constant<caf::atom("lookup")>;

// The worker blocks in DNS calls; spawned detached, it has a thread of its own.
caf::behavior dns_worker(caf::event_based_actor*, const std::shared_ptr<const dns_client>& client,
                         const strategy_config& strategy) {
  return {
      [=](lookup_atom) { return lookup_outcome{find_peers(strategy, *client)}; },
      [=](nslookup_atom, const std::string& name, const std::string& type) -> std::string {
        auto parsed = parse_lookup_type(type);
        if (!parsed)
          return ";; unknown record type '" + type + "' (srv, a or aaaa)\n";
        return nslookup(*client, name, *parsed);
      },
  };
}

// The longest one lookup can take: every try of every nameserver for both SRV names, each possibly twice
// (UDP, then TCP after truncation), plus slack. The worker's reply always comes before this.
std::chrono::milliseconds lookup_budget(const resolver_config& resolver) {
  auto tries = std::max(1, resolver.attempts) *
               static_cast<int>(std::max<std::size_t>(1, resolver.nameservers.size()));
  return resolver.timeout * tries * 2 * 2 + std::chrono::seconds(1);
}

struct discovery_actor_state {
  std::optional<discovery_state> known; // set on start (CAF wants state default-constructible)
  std::unique_ptr<discovery_metrics> metrics;
  caf::actor worker;
  bool in_flight = false;
  std::uint64_t generation = 0; // ticks of an older schedule are ignored
  std::chrono::steady_clock::time_point next_poll_at;
  std::vector<caf::typed_response_promise<std::string>> waiting;
  std::string last_logged_error;
  static inline const char* name = "plugnode.discovery";
};

using discovery_actor = caf::stateful_actor<discovery_actor_state>;

class discovery_logic {
public:
  discovery_logic(discovery_actor* self, discovery_config config, caf::actor agent)
      : self_(self), config_(std::move(config)), agent_(std::move(agent)) {}

  void poll() {
    auto& st = self_->state;
    if (st.in_flight)
      return;
    st.in_flight = true;
    self_->request(st.worker, lookup_budget(config_.resolver), lookup_atom::value)
        .then([*this](const lookup_outcome& outcome) mutable { done(outcome.result); },
              [*this](const caf::error& error) mutable {
                done(dns_error{dns_errc::timeout, "lookup: " + self_->system().render(error)});
              });
  }

  void link(const std::string& node_text, bool up) {
    auto& st = self_->state;
    if (auto node = runtime::node_name::parse(node_text)) {
      st.known->on_link(*node, up);
      st.metrics->connected.Set(static_cast<double>(st.known->connected_count()));
      // A link down is asked again soon (see next_delay), not only after the interval already scheduled.
      if (up || st.in_flight)
        return;
      auto delay = st.known->next_delay();
      if (std::chrono::steady_clock::now() + delay < st.next_poll_at)
        schedule(delay);
    }
  }

  std::string describe() const { return describe_cluster(*self_->state.known, config_.strategy.kind); }

  void schedule(std::chrono::milliseconds delay) {
    auto& st = self_->state;
    st.next_poll_at = std::chrono::steady_clock::now() + delay;
    self_->delayed_send(self_, delay, caf::tick_atom::value, ++st.generation);
  }

private:
  void done(const dns_result<std::vector<peer>>& result) {
    auto& st = self_->state;
    st.in_flight = false;
    st.metrics->polls.Increment();
    if (result) {
      apply(st.known->on_answer(result.value()));
      if (!st.last_logged_error.empty())
        runtime::logger().info("discovery: DNS answers again ({} peers)", st.known->members().size());
      st.last_logged_error.clear();
    } else {
      st.known->on_error(result.error());
      st.metrics->errors.Increment();
      // A lasting outage would repeat the same line every poll: log when the error changes.
      if (result.error().message() != st.last_logged_error)
        runtime::logger().warn("discovery: lookup failed, keeping {} known peers: {}",
                               st.known->members().size(), result.error().message());
      st.last_logged_error = result.error().message();
    }
    st.metrics->discovered.Set(static_cast<double>(st.known->members().size()));
    st.metrics->connected.Set(static_cast<double>(st.known->connected_count()));
    auto text = describe();
    for (auto& promise : st.waiting)
      promise.deliver(text);
    st.waiting.clear();
    schedule(st.known->next_delay());
  }

  void apply(const discovery_state::actions& todo) {
    for (const auto& node : todo.connect) {
      runtime::logger().info("discovery: connecting {}", node.to_string());
      self_->request(agent_, config_.agent_timeout, caf::connect_atom::value, node.to_string())
          .then(
              [*this, name = node.to_string()](bool up) mutable {
                if (up)
                  link(name, true);
                else
                  connect_erlang(name);
              },
              [*this, name = node.to_string()](const caf::error&) mutable { connect_erlang(name); });
    }
    for (const auto& node : todo.disconnect) {
      runtime::logger().info("discovery: {} missing from {} answers, disconnecting", node.to_string(),
                             config_.poll.missing_limit);
      self_->request(agent_, config_.agent_timeout, runtime::disconnect_atom::value, node.to_string())
          .then([](bool) {}, [](const caf::error&) {});
    }
  }

  // A name plugnode's handshake could not connect may be a BEAM node: when the Erlang listener is on (the
  // Erlang side registered as `erlang`), it tries Erlang's protocol (EPMD, then Erlang's handshake).
  void connect_erlang(const std::string& name) {
    auto self = self_;
    auto timeout = config_.agent_timeout;
    self_->request(agent_, timeout, runtime::whereis_atom_v, std::string(runtime::erlang_registered_name))
        .then(
            [*this, self, timeout, name](const caf::actor& erlang) mutable {
              self->request(erlang, timeout, caf::connect_atom::value, name)
                  .then([*this, name](bool up) mutable { link(name, up); },
                        [*this, name](const caf::error&) mutable { link(name, false); });
            },
            [*this, name](const caf::error&) mutable { link(name, false); });
  }

  discovery_actor* self_;
  discovery_config config_;
  caf::actor agent_;
};

caf::behavior discovery_behavior(discovery_actor* self, discovery_config config, caf::actor agent,
                                 prometheus::Registry* registry) {
  self->state.known.emplace(config.self, config.poll);
  self->state.metrics = std::make_unique<discovery_metrics>(*registry);
  self->state.worker = self->spawn<caf::detached + caf::linked>(
      dns_worker, std::make_shared<const dns_client>(config.resolver), config.strategy);
  self->request(agent, config.agent_timeout, runtime::monitor_nodes_atom::value,
                caf::actor_cast<caf::actor>(self))
      .then([] {},
            [self](const caf::error& error) {
              runtime::logger().warn("discovery: cannot subscribe to nodeup/nodedown: {}",
                                     self->system().render(error));
            });
  // BEAM nodes' nodeup/nodedown come from the Erlang side, when it runs.
  self->request(agent, config.agent_timeout, runtime::whereis_atom_v,
                std::string(runtime::erlang_registered_name))
      .then(
          [self](const caf::actor& erlang) {
            self->send(erlang, runtime::monitor_nodes_atom_v, caf::actor_cast<caf::actor>(self));
          },
          [](const caf::error&) {});
  discovery_logic logic(self, std::move(config), std::move(agent));
  logic.poll();
  return {
      [=](caf::tick_atom, std::uint64_t generation) mutable {
        if (generation == self->state.generation)
          logic.poll();
      },
      [=](discover_atom) mutable {
        auto promise = self->make_response_promise<std::string>();
        self->state.waiting.push_back(promise);
        logic.poll();
        return promise;
      },
      [=](cluster_atom) { return logic.describe(); },
      [=](ready_atom) { return self->state.known->ready(); },
      [=](nslookup_atom atom, const std::string& name, const std::string& type) {
        return self->delegate(self->state.worker, atom, name, type);
      },
      [=](runtime::nodeup_atom, const std::string& node) mutable { logic.link(node, true); },
      [=](runtime::nodedown_atom, const std::string& node, const std::string&) mutable {
        logic.link(node, false);
      },
  };
}

} // namespace

caf::actor spawn_discovery(caf::actor_system& system, discovery_config config, caf::actor agent,
                           prometheus::Registry& registry) {
  return system.spawn(discovery_behavior, std::move(config), std::move(agent), &registry);
}

} // namespace plugnode::discovery
