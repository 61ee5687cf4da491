#include "plugnode/runtime/supervisor.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
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

TEST_CASE("a child's own restart limit counts its restarts alone, and giving up names its reason",
          "[supervisor]") {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  std::atomic<bool> gave_up{false};
  std::string why;
  std::mutex why_mutex;
  supervisor_options options;
  options.max_restarts = 0; // the shared intensity: any other child's death gives up at once
  options.on_give_up = [&](const std::string& reason) {
    std::lock_guard<std::mutex> lock(why_mutex);
    why = reason;
    gave_up = true;
  };
  auto worker = [](caf::actor_system& sys) {
    return sys.spawn(
        [](caf::event_based_actor*, int add) -> caf::behavior { return {[add](int x) { return x + add; }}; },
        0);
  };
  child_spec child{"tough", worker, restart_limit{2, std::chrono::seconds(5)}};
  auto sup = spawn_supervisor(system, options, {child});
  caf::scoped_actor self{system};
  auto kill_current = [&] {
    caf::actor current;
    self->request(sup, 1s, caf::get_atom_v, std::string("tough"))
        .receive([&](caf::actor& a) { current = a; }, [](caf::error&) {});
    REQUIRE(current);
    self->send_exit(current, caf::sec::runtime_error);
    return current;
  };
  auto first = kill_current();
  auto second_start = [&] {
    caf::actor now;
    self->request(sup, 1s, caf::get_atom_v, std::string("tough"))
        .receive([&](caf::actor& a) { now = a; }, [](caf::error&) {});
    return now && now != first;
  };
  REQUIRE(plugnode::test::eventually(second_start, 2s)); // restarted although the shared limit is 0
  auto second = kill_current();
  REQUIRE(plugnode::test::eventually(
      [&] {
        caf::actor now;
        self->request(sup, 1s, caf::get_atom_v, std::string("tough"))
            .receive([&](caf::actor& a) { now = a; }, [](caf::error&) {});
        return now && now != second;
      },
      2s));
  CHECK_FALSE(gave_up.load());
  kill_current(); // the third death within 5 s: past max_restarts 2
  REQUIRE(plugnode::test::eventually([&] { return gave_up.load(); }, 2s));
  std::lock_guard<std::mutex> lock(why_mutex);
  CHECK_THAT(why, Catch::Contains("child 'tough' died (runtime_error) more than 2 times in 5000 ms"));
}
