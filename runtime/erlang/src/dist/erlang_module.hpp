// erlang_module: the calls to Erlang's `erlang` module a BEAM operator tries first on any node,
// `:rpc.call(n, :erlang, :node, [])` and friends, answered for a plugnode node from what it knows:
//   node/0        this node's name                 nodes/0,1   its connected nodes (none hidden)
//   whereis/1     a pid standing for an exported name, else :undefined
//   memory/0      [total: resident bytes]          system_info(:otp_release)  'plugnode <version>':
//                 honestly not a BEAM release, so code that checks it does not mistake the node for one
// Anything else is undef, as on a BEAM node without that function: plugnode runs no Erlang code.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "plugnode/erlang/term.hpp"

namespace plugnode::erlang::detail {

struct node_facts {
  std::string node;               // this node's name
  std::vector<std::string> nodes; // its connected nodes, plugnode's and BEAM's
  const std::set<std::string>* exported = nullptr;
  std::function<pid(const std::string& name)> pid_for; // the pid standing for an exported name
};

// Whether `fun`/`arity` of `erlang` needs the node list (the caller fetches it first only then).
bool needs_nodes(const std::string& fun);

// The answer to `:erlang.fun(args...)`; nullopt: undef.
std::optional<term> erlang_module_call(const std::string& fun, const term& args, const node_facts& facts);

// The node's resident memory in bytes (0 when /proc does not say).
std::uint64_t resident_bytes();

} // namespace plugnode::erlang::detail
