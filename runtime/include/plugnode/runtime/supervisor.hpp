// supervisor: Erlang's one_for_one supervision for the long-lived actors of a node (checker, discovery,
// endpoint): a child that dies is started again, alone; a child that keeps dying (more than N restarts in T)
// means the node is broken, so the supervisor gives up and the node stops with a clear log line and a
// non-zero exit, letting Kubernetes restart the pod rather than limping on.
#pragma once

#include <chrono>
#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>

namespace plugnode::runtime {

// The intensity limit alone: at most `max_restarts` restarts within any window of `period`.
class restart_intensity {
public:
  restart_intensity(std::size_t max_restarts, std::chrono::milliseconds period)
      : max_restarts_(max_restarts), period_(period) {}

  // Records a restart wanted at `now`; false when it would exceed the limit.
  bool allow(std::chrono::steady_clock::time_point now);

private:
  std::size_t max_restarts_;
  std::chrono::milliseconds period_;
  std::deque<std::chrono::steady_clock::time_point> recent_;
};

// Erlang's intensity in its names: at most `max_restarts` restarts within `max_seconds`.
struct restart_limit {
  std::size_t max_restarts = 3;
  std::chrono::seconds max_seconds{5};
};

struct child_spec {
  std::string name;                                    // also the registry name when a registry is given
  std::function<caf::actor(caf::actor_system&)> start; // spawns one instance
  // The child's own intensity, counted over its restarts alone; unset: the supervisor's, shared by every
  // child without one.
  std::optional<restart_limit> limit = std::nullopt;
};

struct supervisor_options {
  std::size_t max_restarts = 3;           // Erlang's default intensity: 3 restarts ...
  std::chrono::milliseconds period{5000}; // ... in 5 seconds
  caf::actor registry;                    // a node agent: children are (re)registered there
  std::function<void(const std::string& reason)> on_give_up; // called once when the limit is exceeded
};

// Spawns the supervisor and starts every child in order. It answers (caf::get_atom, std::string child) with
// the child's current caf::actor. When it exits (or is killed) it takes its children with it.
caf::actor spawn_supervisor(caf::actor_system& system, supervisor_options options,
                            std::vector<child_spec> children);

} // namespace plugnode::runtime
