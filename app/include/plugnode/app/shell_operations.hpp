// shell_operations: what the remote shell's commands do, as typed functions over the node's actors. The
// text shell (shell_service.hpp) prints their results; the Erlang rpc module (erlang_rpc.hpp) returns them
// as terms, so neither reads the other's text. Each asks with a bounded wait, and a failure comes back as
// the text saying why, never as a hang.
//
//   shell_operations ops(system, context);
//   if (auto kinds = ops.nodes())
//     for (auto& node : nodes_of_kind(*kinds, ops.self_name(), "visible")) ...
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/scoped_actor.hpp>

#include "plugnode/app/checker.hpp"
#include "plugnode/app/node_routes.hpp"
#include "plugnode/app/shell_command.hpp"
#include "plugnode/app/shell_extension.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/entities.hpp"
#include "plugnode/runtime/groups.hpp"

namespace plugnode::app {

struct shell_context {
  node_services services;
  std::function<void()> stop;              // starts the node's graceful stop
  std::vector<shell_extension> extensions; // the application's commands, tried when no command matched
};

// A command's typed result, or the text saying why it failed (the shell prints it and `rpc` exits 1; the
// rpc module returns {:error, text}).
template <class T> class outcome {
public:
  outcome(T value) : value_(std::move(value)) {}
  static outcome failed(std::string why) {
    outcome o;
    o.failure_ = std::move(why);
    return o;
  }
  explicit operator bool() const { return value_.has_value(); }
  const T& operator*() const { return *value_; }
  const T* operator->() const { return &*value_; }
  const std::string& failure() const { return failure_; }

private:
  outcome() = default;
  std::optional<T> value_;
  std::string failure_;
};

struct group_size {
  std::string group;
  std::optional<std::size_t> members; // over every node; nullopt when the scope did not say
};

// One node's entity figures, or why it gave none (a BEAM peer, or one that went away).
struct node_entities {
  std::string node;
  outcome<std::vector<runtime::entity_figures>> figures;
};

// Node.list/1's kinds: visible (plugnode and BEAM peers), hidden (remote shells and other hidden peers),
// connected (both), this (the node itself), known (itself and its peers); "" is visible.
std::vector<std::string> nodes_of_kind(const runtime::node_kinds& kinds, const std::string& self,
                                       std::string_view kind);

class shell_operations {
public:
  shell_operations(caf::actor_system& system, const shell_context& context);

  const std::string& self_name() const { return ctx_.services.node; }
  std::int64_t os_pid() const;
  // Every connected node by kind, in one request to the agent.
  outcome<runtime::node_kinds> nodes();
  // ping (pong), connect (connected), disconnect (a connection dropped): a node that cannot be reached is
  // `false`, as in Erlang, not a failure; a name that is no node name is one.
  outcome<bool> node_op(shell_verb verb, const std::string& node);
  // A failed lookup (NXDOMAIN, timeout) is a failure, so `rpc "nslookup ..."` exits non-zero.
  outcome<std::string> nslookup(const std::string& name, const std::string& record_type);
  outcome<std::string> discover();
  outcome<check_result> status();
  std::string cluster(); // the /cluster JSON
  std::string metrics(); // the /metrics text
  outcome<std::vector<group_size>> groups();
  // Every node's members of `group` by node name, this node's first.
  outcome<std::vector<runtime::node_members>> members(const std::string& group);
  // This node first, then each visible peer.
  std::vector<node_entities> entities();
  void stop() { ctx_.stop(); }
  // The application's command named by `line`'s first word, or nullopt when there is none.
  std::optional<shell_reply> extension(std::string_view line);
  std::string help() const;

private:
  std::string error_text(const caf::error& e);
  template <class Reply, class... Ts>
  outcome<Reply> ask_registered(const char* name, const char* what, Ts&&...);

  caf::scoped_actor self_;
  const shell_context& ctx_;
};

} // namespace plugnode::app
