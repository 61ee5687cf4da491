// The checker actor of checker.hpp.
#include "plugnode/app/checker.hpp"

#include <httplib.h>

#include <caf/actor_system.hpp>
#include <caf/blocking_actor.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/stateful_actor.hpp>
#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <prometheus/counter.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <spdlog/spdlog.h>

#include "plugnode/runtime/error_text.hpp"

namespace plugnode::app {
namespace {

using check_atom = caf::atom_constant<caf::atom("check")>;
constexpr check_atom check_atom_v{};
using checked_atom = caf::atom_constant<caf::atom("checked")>;
constexpr checked_atom checked_atom_v{};

std::string reason_of(httplib::Error error) {
  switch (error) {
  case httplib::Error::Connection: return "connection refused or unreachable";
  case httplib::Error::Read: return "timeout or connection closed while reading";
  case httplib::Error::Write: return "connection closed while writing";
  case httplib::Error::ConnectionTimeout: return "connect timeout";
  case httplib::Error::SSLConnection: return "TLS handshake failed";
  case httplib::Error::SSLServerVerification: return "TLS certificate not trusted";
  default: return httplib::to_string(error);
  }
}

struct checker_state {
  checker_config options;
  check_result last;
  bool in_flight = false;
  prometheus::Counter* up = nullptr;
  prometheus::Counter* down = nullptr;
  prometheus::Histogram* duration = nullptr;
  std::shared_ptr<prometheus::Registry> registry; // keeps the metrics alive as long as the actor
  static inline const char* name = "checker";
};

// One check, on the worker's own thread. Its inputs are spawn arguments rather than lambda captures: CAF
// 0.17 dereferences a null argument tuple when a function actor takes none (UBSan reports it).
void check_worker(caf::blocking_actor* worker, const http_target& target, std::chrono::milliseconds timeout,
                  const caf::actor& checker) {
  worker->send(checker, checked_atom_v, check_once(target, timeout));
}

caf::behavior checker(caf::stateful_actor<checker_state>* self, checker_config options,
                      std::shared_ptr<prometheus::Registry> registry) {
  self->set_exception_handler(runtime::exception_reason);
  auto& st = self->state;
  st.options = std::move(options);
  st.registry = std::move(registry);
  if (!st.options.target) // checker off: /status says so
    return {[self](caf::get_atom) { return self->state.last; }};
  auto url = st.options.target->url();
  st.last.target = url;
  auto& total = prometheus::BuildCounter()
                    .Name("http_check_total")
                    .Help("Checks of the status target, by result.")
                    .Register(*st.registry);
  st.up = &total.Add({{"target", url}, {"result", "up"}});
  st.down = &total.Add({{"target", url}, {"result", "down"}});
  st.duration = &prometheus::BuildHistogram()
                     .Name("http_check_duration_seconds")
                     .Help("Time a check of the status target took.")
                     .Register(*st.registry)
                     .Add({{"target", url}}, prometheus::Histogram::BucketBoundaries{
                                                 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10});
  self->delayed_send(self, st.options.init_delay, check_atom_v);
  return {
      [self](check_atom) {
        auto& s = self->state;
        self->delayed_send(self, s.options.interval, check_atom_v);
        if (s.in_flight)
          return; // the last check is still waiting for its timeout: never pile them up
        s.in_flight = true;
        // Blocking actors run on a thread of their own, so the HEAD waits there and not on a scheduler
        // thread.
        self->spawn(check_worker, *s.options.target, s.options.timeout, caf::actor_cast<caf::actor>(self));
      },
      [self](checked_atom, check_result& result) {
        auto& s = self->state;
        s.in_flight = false;
        (result.state == check_state::up ? s.up : s.down)->Increment();
        s.duration->Observe(std::chrono::duration<double>(result.duration).count());
        if (result.state != s.last.state)
          spdlog::info("status check of {}: {}", result.target, describe(result, result.checked_at));
        s.last = std::move(result);
      },
      [self](caf::get_atom) { return self->state.last; },
  };
}

} // namespace

std::string_view to_string(check_state state) {
  switch (state) {
  case check_state::up: return "up";
  case check_state::down: return "down";
  default: return "unknown";
  }
}

std::string describe(const check_result& result, std::chrono::system_clock::time_point now) {
  if (result.state == check_state::unknown)
    return "unknown: no check yet" +
           (result.target.empty() ? std::string(" (checker off)") : " of " + result.target);
  auto ago = std::chrono::duration_cast<std::chrono::seconds>(now - result.checked_at).count();
  auto took = std::chrono::duration<double, std::milli>(result.duration).count();
  if (result.state == check_state::up)
    return fmt::format("up: {} answered HTTP {} in {:.1f} ms, {} s ago", result.target, result.http_status,
                       took, ago);
  return fmt::format("down: {} {} after {:.1f} ms, {} s ago", result.target, result.reason, took, ago);
}

std::string to_json(const check_result& result) {
  nlohmann::json j{{"state", to_string(result.state)}, {"target", result.target}};
  if (result.state != check_state::unknown) {
    j["http_status"] = result.http_status;
    j["reason"] = result.reason;
    j["duration_seconds"] = std::chrono::duration<double>(result.duration).count();
    j["checked_at"] = fmt::format("{:%Y-%m-%dT%H:%M:%S}Z",
                                  fmt::gmtime(std::chrono::system_clock::to_time_t(result.checked_at)));
  }
  return j.dump();
}

check_result check_once(const http_target& target, std::chrono::milliseconds timeout) {
  check_result result;
  result.target = target.url();
  auto start = std::chrono::steady_clock::now();
  httplib::Client client(target.scheme + "://" + target.host + ":" + std::to_string(target.port));
  auto seconds = std::chrono::duration_cast<std::chrono::seconds>(timeout);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(timeout - seconds);
  client.set_connection_timeout(seconds.count(), micros.count());
  client.set_read_timeout(seconds.count(), micros.count());
  client.set_write_timeout(seconds.count(), micros.count());
  auto res = client.Head(target.path);
  result.duration =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  result.checked_at = std::chrono::system_clock::now();
  if (!res) {
    result.state = check_state::down;
    result.reason = reason_of(res.error());
  } else {
    result.http_status = res->status;
    result.state = res->status < 400 ? check_state::up : check_state::down;
    if (res->status >= 400)
      result.reason = "HTTP " + std::to_string(res->status);
  }
  return result;
}

caf::actor spawn_checker(caf::actor_system& system, checker_config options,
                         std::shared_ptr<prometheus::Registry> registry) {
  return system.spawn(checker, std::move(options), std::move(registry));
}

} // namespace plugnode::app
