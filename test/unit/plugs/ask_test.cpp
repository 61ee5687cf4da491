#include "plugnode/plugs/ask.hpp"

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <caf/event_based_actor.hpp>
#include <catch2/catch.hpp>

#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;
using namespace std::chrono_literals;

namespace {

// (Function actors here take an argument: CAF 0.17 dereferences a null pointer, which UBSan stops on, when
// spawning one without.)
caf::behavior multiplier(caf::event_based_actor*, int factor) {
  return {[factor](int x) { return x * factor; }};
}

// Holds every request unanswered until it is told to answer: stands in for a busy GenServer.
caf::behavior stalling(caf::event_based_actor* self, int answer) {
  auto pending = std::make_shared<std::vector<caf::response_promise>>();
  return {[self, pending](int) {
            pending->push_back(self->make_response_promise());
            return pending->back();
          },
          [pending, answer](caf::ok_atom) {
            for (auto& rp : *pending)
              rp.deliver(answer);
            pending->clear();
          }};
}

} // namespace

TEST_CASE("ask gets another actor's answer", "[ask]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto c = test_conn("GET", "/");
  c.system = &sys;
  // The answer takes microseconds; the timeout is not what this tests, and under ThreadSanitizer on a
  // machine busy with a build 1 s was once too short.
  auto answer = ask<int>(c, sys.spawn(multiplier, 2), 10s, 21);
  REQUIRE(answer);
  CHECK(*answer == 42);
}

TEST_CASE("ask gives request_timeout after the timeout, or at the request's deadline", "[ask]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto busy = sys.spawn(stalling, 0);
  auto c = test_conn("GET", "/");
  c.system = &sys;
  auto start = std::chrono::steady_clock::now();
  auto late = ask<int>(c, busy, 50ms, 1);
  REQUIRE_FALSE(late);
  CHECK(late.error() == caf::sec::request_timeout);
  c.deadline = std::chrono::steady_clock::now() + 50ms;
  auto cut = ask<int>(c, busy, 10s, 1);
  CHECK(cut.error() == caf::sec::request_timeout);
  CHECK(std::chrono::steady_clock::now() - start < 250ms);
  caf::anon_send(busy, caf::ok_atom_v); // late answers go to mailboxes already gone
  caf::anon_send_exit(busy, caf::exit_reason::user_shutdown);
}

TEST_CASE("ask reports the error of an actor that is gone", "[ask]") {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  auto gone = sys.spawn(multiplier, 2);
  caf::anon_send_exit(gone, caf::exit_reason::kill);
  auto c = test_conn("GET", "/");
  c.system = &sys;
  std::this_thread::sleep_for(20ms);
  auto answer = ask<int>(c, gone, 1s, 1);
  REQUIRE_FALSE(answer);
  CHECK(answer.error() != caf::sec::request_timeout);
}
