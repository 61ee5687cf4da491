// erlang_peer_names: a BEAM connection's cache of registered names -> actors, so that a message or a
// GenServer.call from a BEAM node reaches the registered actor in one hop instead of a lookup at the node
// agent (and the registry behind it) before every message. Uses of a name whose lookup is under way wait
// behind it in order, so a BEAM process's messages to one name keep their order. An entry is dropped when its
// actor ends (the peer monitors it and calls forget) and is looked up again once it is max_age old: a name
// unregistered while its actor lives reaches that actor for at most max_age more.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>

namespace plugnode::erlang::detail {

// How long a cached name is trusted, by the connection's cache and by its direct route (erlang_direct.hpp).
constexpr std::chrono::seconds name_max_age{1};

class peer_names {
public:
  using clock = std::chrono::steady_clock;
  using use_fn = std::function<void(const caf::actor&)>; // an invalid handle: nothing under the name

  explicit peer_names(clock::duration max_age) : max_age_(max_age) {}

  // Runs `use` now when `name` is known and fresh, else queues it; true when the caller must look `name`
  // up and report the answer with resolved().
  bool use(const std::string& name, use_fn use, clock::time_point now);
  // The lookup's answer (an invalid handle: not registered, nothing cached): runs the queued uses in order.
  void resolved(const std::string& name, const caf::actor& who, clock::time_point now);
  // `gone` ended: every name that led to it is looked up again on its next use.
  void forget(const caf::actor_addr& gone);

private:
  struct entry {
    caf::actor who;             // invalid while a lookup is under way
    clock::time_point resolved; // when the lookup answered
    std::vector<use_fn> waiting;
  };
  clock::duration max_age_;
  std::map<std::string, entry> names_;
};

} // namespace plugnode::erlang::detail
