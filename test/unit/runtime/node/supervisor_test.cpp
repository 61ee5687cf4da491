#include "plugnode/runtime/supervisor.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include <caf/all.hpp>

#include "plugnode/test/process.hpp"

using namespace plugnode::runtime;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

TEST_CASE("the intensity limit counts restarts within a sliding window", "[supervisor]") {
  restart_intensity limit(3, 1000ms);
  auto t0 = clock_type::now();
  CHECK(limit.allow(t0));
  CHECK(limit.allow(t0 + 100ms));
  CHECK(limit.allow(t0 + 200ms));
  CHECK_FALSE(limit.allow(t0 + 300ms));  // a 4th within one second
  CHECK(limit.allow(t0 + 1001ms));       // the one at t0 has left the window
  CHECK_FALSE(limit.allow(t0 + 1050ms)); // the ones at 100, 200 and 1001 ms are still in it
}

TEST_CASE("zero restarts allowed means the first death gives up", "[supervisor]") {
  restart_intensity limit(0, 1000ms);
  CHECK_FALSE(limit.allow(clock_type::now()));
}

TEST_CASE("a supervisor restarts a dead child and gives up past its limit", "[supervisor]") {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  std::atomic<int> starts{0};
  std::atomic<bool> gave_up{false};
  supervisor_options options;
  options.max_restarts = 1;
  options.period = 5000ms;
  options.on_give_up = [&](const std::string&) { gave_up = true; };
  child_spec child{"worker", [&](caf::actor_system& sys) {
                     ++starts;
                     // an argument, not none: CAF 0.17 spawns argument-less function actors through a null
                     // pointer
                     return sys.spawn(
                         [](caf::event_based_actor*, int add) -> caf::behavior {
                           return {[add](int x) { return x + add; }};
                         },
                         0);
                   }};
  auto sup = spawn_supervisor(system, options, {child});
  caf::scoped_actor self{system};
  auto current = [&] {
    caf::actor out;
    self->request(sup, 1s, caf::get_atom_v, std::string("worker"))
        .receive([&](caf::actor& a) { out = a; }, [](caf::error&) {});
    return out;
  };
  auto first = current();
  REQUIRE(first);
  self->send_exit(first, caf::sec::runtime_error);
  REQUIRE(plugnode::test::eventually([&] { return starts == 2; }, 2s));
  auto second = current();
  CHECK(second != first);
  self->send_exit(second, caf::sec::runtime_error);
  CHECK(plugnode::test::eventually([&] { return gave_up.load(); }, 2s));
  CHECK(starts == 2);
  self->send_exit(sup, caf::exit_reason::user_shutdown);
}
