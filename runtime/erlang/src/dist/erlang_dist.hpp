// erlang_dist: the Erlang side of a node, on when PLUGNODE_ERLANG_DIST is set. It holds erl_interface's node
// (ei_cnode: this node's name, the cookie, a creation from the incarnation), listens on the Erlang
// distribution port of the node's bind address, answers EPMD for the node's name (epmd_responder.hpp), runs
// ei's accept handshake (the MD5 cookie challenge) on threads of its own, and gives each authenticated
// connection a reader (erlang_connection.hpp) and an actor (erlang_peer.hpp).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <ei.h>

#include "dist/erlang_connection.hpp"
#include "dist/erlang_node_table.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/runtime/host_resolver.hpp"
#include "plugnode/runtime/protocol_side.hpp"
#include "runtime_names.hpp"

namespace plugnode::erlang::detail {

struct erlang_dist_settings {
  node_name name;
  std::string cookie;
  std::string bind_address; // an IPv4 literal; 0.0.0.0 listens everywhere
  std::uint64_t incarnation = 0;
  std::chrono::milliseconds handshake_timeout{5000};
  dist_options options;
  caf::actor agent;
  runtime::host_resolver
      resolver; // a BEAM node's host, when a dial names no address (the node's own resolver)
};

class erlang_dist : public runtime::protocol_side {
public:
  // nullptr with `error` when the port, EPMD or ei's set-up fails.
  static std::unique_ptr<erlang_dist> start(caf::actor_system& system, erlang_dist_settings settings,
                                            std::string& error);
  // Stops accepting and closes every connection (BEAM peers see nodedown at once), waiting (bounded) for the
  // readers to end.
  ~erlang_dist() override;
  erlang_dist(const erlang_dist&) = delete;
  erlang_dist& operator=(const erlang_dist&) = delete;

  std::uint16_t port() const { return port_; }
  // The front actor (erlang_nodes.hpp), to be registered as `erlang`.
  const caf::actor& front() const override { return front_; }
  const caf::actor& prober() const override { return prober_; }
  const char* registered_name() const override { return erlang_registered_name; }
  const std::string& epmd_mode() const;

private:
  erlang_dist(caf::actor_system& system, erlang_dist_settings settings);
  void accept_loop();
  void adopt(int fd, const std::string& peer_node, const std::string& peer_address);
  // ei's connect at `address`:`port`, then adopt; "" or why it failed. Without an address the node's host is
  // resolved with the node's resolver, without a port its EPMD is asked (epmd_probe): never libei's own
  // look-ups, which bypass the resolver and wait with select().
  std::string dial(const std::string& node, const std::string& address, std::uint16_t port);

  caf::actor_system& system_;
  erlang_dist_settings settings_;
  ei_cnode ec_{};
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::unique_ptr<class epmd_responder> epmd_;
  std::unique_ptr<class erlang_gate> gate_;
  std::atomic<bool> stop_{false};
  std::vector<std::thread> acceptors_;
  std::shared_ptr<erlang_node_table> nodes_ = std::make_shared<erlang_node_table>();
  caf::actor front_;
  caf::actor prober_; // the agent's probes (epmd_probe.hpp), never behind the front's blocking dials
};

} // namespace plugnode::erlang::detail
