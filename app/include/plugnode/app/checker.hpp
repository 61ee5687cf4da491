// checker: the starter's status GenServer. A supervised actor sends HTTP HEAD to the configured target every
// interval (cpp-httplib client, with a timeout), keeps the last result and exports it to Prometheus. The
// request runs on a detached worker, never on a scheduler thread and never in the checker itself, so the
// checker answers (caf::get_atom) at once whatever the target does: a hanging target cannot block /status.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <caf/actor.hpp>
#include <caf/allowed_unsafe_message_type.hpp>
#include <caf/fwd.hpp>

#include "plugnode/app/config.hpp"

namespace prometheus {
class Registry;
}

namespace plugnode::app {

enum class check_state { unknown, up, down };

// The outcome of one check (or `unknown` before the first).
struct check_result {
  check_state state = check_state::unknown;
  std::string target;  // the URL asked
  int http_status = 0; // 0 when no response came back
  std::string reason;  // why down: "HTTP 503", "timeout", "connection refused" ...
  std::chrono::microseconds duration{0};
  std::chrono::system_clock::time_point checked_at{};
};

std::string_view to_string(check_state state);

// `up (HTTP 200 in 1.2 ms, 3 s ago)` / `down: timeout` / `unknown: no check yet`, for /status and the shell.
std::string describe(const check_result& result, std::chrono::system_clock::time_point now);
// {"state":"up","target":...,"http_status":200,"reason":"","duration_seconds":0.0012,"checked_at":"..."}
std::string to_json(const check_result& result);

// One blocking HEAD request with `timeout` for connecting, sending and reading (used by the worker).
check_result check_once(const http_target& target, std::chrono::milliseconds timeout);

// Spawns the checker: first check after `init_delay`, then every `interval`. It answers
// (caf::get_atom) -> check_result. Metrics go to `registry`: http_check_total{target,result} and the
// histogram http_check_duration_seconds{target}.
caf::actor spawn_checker(caf::actor_system& system, checker_config options,
                         std::shared_ptr<prometheus::Registry> registry);

} // namespace plugnode::app

CAF_ALLOW_UNSAFE_MESSAGE_TYPE(plugnode::app::check_result)
