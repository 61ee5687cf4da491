// outbound_budget: marks every quarter of the limit, held past the limit, room again on credit, released
// for good once closed; a blocked sender (a plain send to a held handle) waits for the same room; the
// node's broker_meter bounds what all budgets together leave unprocessed in the BASP broker's mailbox.
#include "flow/outbound_budget.hpp"

#include <chrono>
#include <future>
#include <memory>

#include <catch2/catch.hpp>

using plugnode::runtime::detail::broker_meter;
using plugnode::runtime::detail::outbound_budget;

TEST_CASE("a budget asks for a mark every quarter of its limit and is full at the limit",
          "[outbound_budget]") {
  outbound_budget budget(1000);
  auto first = budget.charge(200);
  CHECK(first.mark == 0);
  CHECK_FALSE(first.full);
  auto second = budget.charge(100); // 300 charged: past the first quarter
  CHECK(second.mark == 300);
  CHECK_FALSE(second.full);
  CHECK(budget.charge(300).mark == 600);
  auto last = budget.charge(400); // 1000: the limit
  CHECK(last.mark == 1000);
  CHECK(last.full);
  CHECK_FALSE(budget.has_room());
  CHECK(budget.counters().in_flight == 1000);
  CHECK(budget.counters().messages == 4);
}

TEST_CASE("credit up to a mark gives room, an older mark never takes it back", "[outbound_budget]") {
  outbound_budget budget(1000);
  budget.charge(1200);
  CHECK_FALSE(budget.credit(100));
  CHECK(budget.credit(600));
  CHECK(budget.counters().in_flight == 600);
  CHECK(budget.credit(300)); // late answer to an earlier mark
  CHECK(budget.counters().in_flight == 600);
  CHECK(budget.unconfirmed() == 1200);
  budget.credit(1200);
  CHECK(budget.unconfirmed() == 0);
}

TEST_CASE("past the meter's bytes not yet processed by the local BASP broker a sender is held too",
          "[outbound_budget]") {
  auto meter = std::make_shared<broker_meter>(64 * 1024);
  auto budget = std::make_shared<outbound_budget>(1024 * 1024, meter);
  auto charged = budget->charge(16 * 1024);
  CHECK(charged.probe == 16 * 1024); // every quarter of the meter
  CHECK(charged.mark == 0);
  CHECK(budget->charge(48 * 1024).full); // 64 KB unprocessed
  // The broker has serialised the first 16 KB: room for a charge, but a held sender waits until half
  // of the meter is processed, and then the held budget is the one to recheck.
  CHECK(meter->processed(16 * 1024).empty());
  CHECK(budget->has_room());
  auto waiting = meter->processed(32 * 1024);
  REQUIRE(waiting.size() == 1);
  CHECK(waiting.front() == budget);
  CHECK(budget->recheck());
  CHECK(budget->counters().in_flight == 64 * 1024); // still unconfirmed by the peer
}

TEST_CASE("one meter holds every peer's senders: a quiet peer's messages never wait behind more than it",
          "[outbound_budget]") {
  // The BASP broker has one mailbox for all links: a blast to b fills it for c's senders as well.
  auto meter = std::make_shared<broker_meter>(16 * 1024);
  auto to_b = std::make_shared<outbound_budget>(1024 * 1024, meter);
  auto to_c = std::make_shared<outbound_budget>(1024 * 1024, meter);
  CHECK(to_b->charge(16 * 1024).full);
  CHECK(meter->unprocessed() == 16 * 1024);
  CHECK(to_c->charge(100).full); // c's own budget is nearly empty
  CHECK_FALSE(to_b->has_room());
  // A sender that blocks its thread has four times the meter's limit (a plain send to a held handle).
  to_c->wait_for_room();
  CHECK(to_c->counters().held == 0);
  CHECK(to_b->charge(48 * 1024).full); // 64 KB + 100 unprocessed: full for blocking senders too
  // Not down to half yet: nobody to wake.
  CHECK(meter->processed(100).empty());
  auto blocked = std::async(std::launch::async, [&] { to_c->wait_for_room(); });
  CHECK(blocked.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  // Down to half: both budgets are rechecked, and the sender blocked on c's goes on.
  auto waiting = meter->processed(56 * 1024 + 100);
  CHECK(waiting.size() == 2);
  for (auto& budget : waiting)
    CHECK(budget->recheck());
  CHECK(blocked.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK(to_c->counters().held == 1);
}

TEST_CASE("held senders are released with their time counted, a closed budget never holds",
          "[outbound_budget]") {
  outbound_budget budget(1000);
  budget.hold({caf::response_promise{}, std::chrono::steady_clock::now() - std::chrono::milliseconds(50)});
  CHECK(budget.counters().waiting == 1);
  CHECK(budget.counters().held == 1);
  CHECK(budget.release().size() == 1);
  CHECK(budget.counters().waiting == 0);
  CHECK(budget.counters().held_time >= std::chrono::milliseconds(50));
  budget.close();
  CHECK(budget.has_room());
  CHECK_FALSE(budget.charge(5000).full);
  CHECK(budget.charge(5000).mark == 0);
}

TEST_CASE("a sender blocked in wait_for_room goes on when credit comes or the budget closes",
          "[outbound_budget]") {
  outbound_budget budget(1000);
  budget.charge(1000);
  auto waiting = std::async(std::launch::async, [&] { budget.wait_for_room(); });
  // Still blocked: nothing was credited yet (the wait ends only on room, so a bound is enough here).
  CHECK(waiting.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  CHECK(budget.counters().waiting == 1);
  budget.credit(500);
  CHECK(waiting.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  CHECK(budget.counters().held == 1);
  CHECK(budget.counters().waiting == 0);

  budget.charge(600); // 1100 in flight
  auto released = std::async(std::launch::async, [&] { budget.wait_for_room(); });
  CHECK(released.wait_for(std::chrono::milliseconds(50)) == std::future_status::timeout);
  budget.close();
  CHECK(released.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
  budget.wait_for_room(); // closed: never held again
  CHECK(budget.counters().held == 2);
}
