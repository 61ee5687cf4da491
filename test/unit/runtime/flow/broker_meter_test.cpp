// broker_meter: a probe every quarter of its limit, full at the limit across every charge, and the budgets
// that found it full handed back (once each) when the broker is down to half of it.
#include "flow/broker_meter.hpp"

#include <memory>

#include <catch2/catch.hpp>

#include "flow/outbound_budget.hpp"

using plugnode::runtime::detail::broker_meter;
using plugnode::runtime::detail::outbound_budget;

TEST_CASE("the meter asks for a probe every quarter of its limit", "[broker_meter]") {
  broker_meter meter(1000);
  CHECK(meter.charge(200) == 0);
  CHECK(meter.charge(100) == 300);
  CHECK(meter.charge(100) == 0);
  CHECK(meter.charge(600) == 1000);
  CHECK(meter.unprocessed() == 1000);
}

TEST_CASE("a budget that found the meter full is handed back once, when there is room again",
          "[broker_meter]") {
  broker_meter meter(1000);
  auto budget = std::make_shared<outbound_budget>(1000 * 1000);
  meter.charge(1200);
  CHECK_FALSE(meter.room(budget));
  CHECK_FALSE(meter.room(budget));     // asked twice, registered once
  CHECK(meter.processed(100).empty()); // 1100 unprocessed: still full, still registered
  CHECK(meter.processed(300).empty()); // 900: room for a charge, but not down to half
  CHECK(meter.room(budget));
  auto waiting = meter.processed(700);
  REQUIRE(waiting.size() == 1);
  CHECK(waiting.front() == budget);
  CHECK(meter.room(budget));
  CHECK(meter.processed(1200).empty()); // nobody waits any more
}
