// node: one plugnode node, the runtime's entry point for the app. It owns the CAF actor system, the node
// agent (the `net_kernel`, see agent_protocol.hpp) published on the distribution port, and the way out:
// leaving the cluster politely on stop, and stopping the node when a supervisor gives up.
//
//   node n(options);
//   if (auto error = n.start()) { print *error; exit 1 }
//   caf::scoped_actor self{n.system()};
//   self->request(n.agent(), 2s, caf::connect_atom_v, "plugnode@10.0.0.7").receive(...);
//   n.leave();  // on SIGTERM; the destructor does it too
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/expected.hpp>
#include <caf/fwd.hpp>

#include "plugnode/runtime/entity_type.hpp"
#include "plugnode/runtime/host_resolver.hpp"
#include "plugnode/runtime/node_name.hpp"
#include "plugnode/runtime/peer_load.hpp"
#include "plugnode/runtime/protocol_side.hpp"
#include "plugnode/runtime/supervisor.hpp"
#include "plugnode/runtime/tls.hpp"

namespace plugnode::runtime {
namespace detail {
class peer_directory;
class dist_listener;
class topic_table;
} // namespace detail

struct node_options {
  node_name name = node_name::local_default(); // PLUGNODE_NODE
  std::string bind_address;  // PLUGNODE_DIST_ADDR; empty: the address the name's host resolves to
  std::uint16_t port = 4370; // PLUGNODE_DIST_PORT: where this node listens and where peers listen
  bool listen = true;        // false: single-node mode and hidden clients (nothing published)
  std::string cookie;        // required when listening; see cookie.hpp
  bool hidden = false;       // never listed in peers' nodes(), never connected onward
  tls_files tls;             // PLUGNODE_TLS_*: mutual TLS when set
  std::chrono::milliseconds heartbeat_interval{500};
  std::chrono::milliseconds failure_bound{3000};   // silence after which a peer is down
  std::chrono::milliseconds connect_timeout{5000}; // deadline of every connection attempt
  // PLUGNODE_DIST_BUFFER: bytes a node may have sent to one peer without its confirmation before senders
  // (dist_send.hpp) are held; Erlang's dist_buf_busy_limit is 1 MB.
  std::uint64_t dist_buffer = 1024 * 1024;
  host_resolver resolver = resolve_with_getaddrinfo;
  // Called (once, from an actor thread) when a supervisor gave up; the default logs and exits with 1.
  std::function<void(const std::string& reason)> on_fatal;
  // CAF's work-sharing scheduler and no BASP workers: 3x faster round trips on small machines (measured,
  // docs/benchmarks.md); false keeps CAF's defaults.
  bool fast_scheduler = true;
  std::size_t scheduler_threads = 0; // 0: CAF's default (one per core)
  // BEAM nodes in the cluster: plugnode::erlang::side(...) (plugnode/erlang/side.hpp); empty: off
  side_starter erlang;
  // Message types beyond the runtime's own, added (cfg.add_message_type<T>("name")) to the actor system's
  // configuration before it is built: CAF 0.17 serializes only types added there. A service's declared types
  // (service.hpp), the same on every node.
  std::function<void(caf::actor_system_config&)> message_types;
  // The sharded entity types this node hosts (entities.hpp); the same type on several nodes shares its keys.
  std::vector<entity_type> entity_types;
};

class node {
public:
  explicit node(node_options options);
  ~node(); // leaves (bounded) and stops the actor system
  node(const node&) = delete;
  node& operator=(const node&) = delete;

  // Checks the options (cookie when listening, TLS files), starts the actor system and the agent, and
  // listens on bind_address:port, serving the agent to every peer that passes the cookie handshake.
  // nullopt on success, else a one-line reason.
  std::optional<std::string> start();

  // Valid after a successful start().
  caf::actor_system& system();
  const caf::actor& agent() const { return agent_; }
  const node_name& name() const { return options_.name; }
  std::uint64_t incarnation() const { return incarnation_; }
  std::uint16_t port() const { return port_; } // the bound port (differs from the option when it was 0)
  std::chrono::milliseconds failure_bound() const { return options_.failure_bound; }
  // The process-group scope "pg" (groups.hpp), started with the node and registered with its agent.
  const caf::actor& group_scope() const { return group_scope_; }
  // This node's pub/sub server and the table its publishers read (pubsub.hpp).
  const caf::actor& pubsub() const { return pubsub_; }
  const std::shared_ptr<detail::topic_table>& topics() const { return topics_; }
  // This node's entity region (entities.hpp): where entity_call and entity_send go.
  const caf::actor& entities() const { return entities_; }
  const std::string& bind_address() const { return bind_address_; }

  // Hands this node's entities to their next owners (each hand-over within twice the failure bound, all of
  // them within three times), tells every peer this node
  // is leaving (they report nodedown "peer leaving" at once), waiting at most `bound` for their
  // acknowledgements, then stops listening. Idempotent.
  void leave(std::chrono::milliseconds bound = std::chrono::milliseconds(1000));

  // A one_for_one supervisor over `children`, each registered with the agent under its name; when the
  // intensity limit is exceeded, options.on_fatal runs.
  caf::actor supervise(std::vector<child_spec> children, std::size_t max_restarts = 3,
                       std::chrono::milliseconds period = std::chrono::milliseconds(5000));

  // The agent of `node_name` (connecting first, within `timeout`): what a remote shell talks to. Monitor the
  // returned actor to learn when that node goes away (its down_msg arrives at once on a closed connection,
  // within failure_bound on a frozen one).
  caf::expected<caf::actor> remote_agent(const std::string& node_name, std::chrono::milliseconds timeout);

  // The agent of `node_name` (canonical) if that node is connected now, else an invalid handle; never
  // connects and never waits. For one-request callers (ping) that would otherwise pay two extra hops
  // through the local agent.
  caf::actor connected_agent(const std::string& node_name) const;

  // Every connected peer's traffic and outbound budget (the metrics); cheap enough for each scrape.
  std::vector<runtime::peer_load> peer_load() const;

  // The connected peers and their outbound budgets; dist_send.hpp charges them.
  const std::shared_ptr<detail::peer_directory>& directory() const { return directory_; }

private:
  std::optional<std::string> listen();     // publishes the agent on the distribution port; the error if not
  std::optional<std::string> start_side(); // the second protocol (options.erlang); the error if not
  std::optional<std::string> start_cluster_state(); // group scope, pub/sub, entities; the error if not
  void shut_down();                                 // ends the agent, then the actor system

  node_options options_;
  std::uint64_t incarnation_ = 0;
  std::uint16_t port_ = 0;
  std::string bind_address_;
  bool left_ = false;
  std::unique_ptr<caf::actor_system_config> config_;
  std::unique_ptr<caf::actor_system> system_;
  caf::actor agent_;
  caf::actor flow_; // the outbound budgets' actor (dist_flow.hpp)
  caf::actor group_scope_;
  caf::actor pubsub_;
  std::shared_ptr<detail::topic_table> topics_;
  caf::actor entities_;
  std::shared_ptr<detail::peer_directory> directory_;
  std::unique_ptr<detail::dist_listener> listener_;
  std::unique_ptr<protocol_side> side_;
};

// Options for a hidden client node (remote shell, one-shot commands): a name of its own
// (`remsh-<pid>-<random>@localhost`), not listening, peers on `port`, the given cookie.
node_options hidden_client_options(std::uint16_t port, std::string cookie);

} // namespace plugnode::runtime
