// The discovery actor and its detached DNS worker; see discovery_actor.hpp.
#include "plugnode/discovery/discovery_actor.hpp"

#include <deque>
#include <memory>
#include <set>
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
constexpr lookup_atom lookup_atom_v{};

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

// Connect requests to the agent at once: a large answer is dialled a few peers at a time, so the node's own
// links and the agent's other work do not queue behind hundreds of handshakes.
constexpr std::size_t max_dials_in_flight = 8;

// "a@h, b@h, ... (and 431 more)": the first few of a long list of names, for one log line.
std::string some_names(const std::vector<runtime::node_name>& names) {
  constexpr std::size_t shown = 5;
  std::string text;
  for (std::size_t i = 0; i < names.size() && i < shown; ++i)
    text += (i ? ", " : "") + names[i].to_string();
  if (names.size() > shown)
    text += ", ... (and " + std::to_string(names.size() - shown) + " more)";
  return text;
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
  std::vector<runtime::node_name> last_left_out;
  std::deque<peer> to_dial;     // connects waiting for a slot, in the answer's order
  std::set<std::string> queued; // the same names, so an answer does not queue a node twice
  std::size_t dialling = 0;
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
    self_->request(st.worker, lookup_budget(config_.resolver), lookup_atom_v)
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
    self_->delayed_send(self_, delay, caf::tick_atom_v, ++st.generation);
  }

private:
  void done(const dns_result<std::vector<peer>>& result) {
    auto& st = self_->state;
    st.in_flight = false;
    st.metrics->polls.Increment();
    if (result) {
      apply(st.known->on_answer(result.value()));
      log_left_out(result.value().size());
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

  // Logs the peers the cap left out when they change, not at every poll of the same answer.
  void log_left_out(std::size_t named) {
    auto& st = self_->state;
    const auto& left_out = st.known->left_out();
    if (left_out == st.last_left_out)
      return;
    st.last_left_out = left_out;
    if (!left_out.empty())
      runtime::logger().warn(
          "discovery: the answer named {} peers; took {} (PLUGNODE_DISCOVERY_MAX_TARGETS), "
          "left out {}: {}",
          named, config_.poll.max_targets, left_out.size(), some_names(left_out));
  }

  void apply(const discovery_state::actions& todo) {
    auto& st = self_->state;
    for (const auto& p : todo.connect)
      if (st.queued.insert(p.node.to_string()).second)
        st.to_dial.push_back(p);
    dial_next();
    for (const auto& node : todo.disconnect) {
      runtime::logger().info("discovery: {} missing from {} answers, disconnecting", node.to_string(),
                             config_.poll.missing_limit);
      self_->request(agent_, config_.agent_timeout, runtime::disconnect_atom_v, node.to_string())
          .then([](bool) {}, [](const caf::error&) {});
    }
  }

  void dial_next() {
    auto& st = self_->state;
    while (st.dialling < max_dials_in_flight && !st.to_dial.empty()) {
      auto p = std::move(st.to_dial.front());
      st.to_dial.pop_front();
      auto name = p.node.to_string();
      st.queued.erase(name);
      ++st.dialling;
      runtime::logger().info("discovery: connecting {}", name);
      // The whole answer goes to the agent: it dials the SRV port and addresses, resolving only without them.
      self_
          ->request(agent_, config_.agent_timeout, caf::connect_atom_v,
                    runtime::connect_target{p.node, p.port, p.addresses})
          .then([*this, name](bool up) mutable { dialled(name, up); },
                [*this, name](const caf::error&) mutable { dialled(name, false); });
    }
  }

  void dialled(const std::string& name, bool up) {
    --self_->state.dialling;
    link(name, up);
    dial_next();
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
  self->request(agent, config.agent_timeout, runtime::monitor_nodes_atom_v, caf::actor_cast<caf::actor>(self))
      .then([] {},
            [self](const caf::error& error) {
              runtime::logger().warn("discovery: cannot subscribe to nodeup/nodedown: {}",
                                     self->system().render(error));
            });
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
