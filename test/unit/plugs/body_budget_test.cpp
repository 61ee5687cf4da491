// body_budget: bytes are taken while they fit, waiters are woken in order as bytes come back, a body
// larger than the whole budget still proceeds alone, and one address holds no more than its share.
#include <catch2/catch.hpp>

#include <vector>

#include "body_budget.hpp"

using plugnode::plugs::body_budget;

namespace {

struct woken_log {
  std::atomic<std::int64_t> now{0};
  std::atomic<std::int64_t> peak{0};
  std::vector<std::uint32_t> order;
  // Without a share given, one address may hold it all.
  body_budget budget(std::size_t limit, std::size_t share = 0) {
    return body_budget(
        limit, share == 0 ? limit : share, [this](const body_budget::waiter& w) { order.push_back(w.index); },
        now, peak);
  }
};

} // namespace

TEST_CASE("bytes are taken while they fit, and past that waiters wake in order as bytes come back",
          "[body_budget]") {
  woken_log log;
  auto budget = log.budget(100);
  CHECK(budget.take({1, 0, 60, "127.0.0.1"}, false));
  CHECK(budget.take({2, 0, 40, "127.0.0.1"}, false));
  CHECK_FALSE(budget.take({3, 0, 50, "127.0.0.1"}, false));
  CHECK_FALSE(budget.take({4, 0, 10, "127.0.0.1"}, false)); // fits, but 3 came first
  CHECK(budget.waiting() == 2);
  budget.give("127.0.0.1", 40);
  CHECK(log.order == std::vector<std::uint32_t>{}); // 3 does not fit yet: 4 stays behind it
  budget.give("127.0.0.1", 60);
  CHECK(log.order == std::vector<std::uint32_t>{3, 4});
  CHECK(budget.held() == 60);
  CHECK(log.now == 60);
  CHECK(log.peak == 100);
}

TEST_CASE("a growing body goes first, and one larger than the budget proceeds when nothing is held",
          "[body_budget]") {
  woken_log log;
  auto budget = log.budget(100);
  CHECK(budget.take({1, 0, 500, "127.0.0.1"}, false)); // alone: it may exceed the budget
  CHECK_FALSE(budget.take({2, 0, 10, "127.0.0.1"}, false));
  CHECK_FALSE(budget.take({3, 0, 20, "127.0.0.1"}, true)); // holds bytes already: ahead of 2
  budget.give("127.0.0.1", 500);
  CHECK(log.order == std::vector<std::uint32_t>{3, 2});
}

TEST_CASE("a closing waiter is forgotten and the one behind it may then fit", "[body_budget]") {
  woken_log log;
  auto budget = log.budget(100);
  CHECK(budget.take({1, 0, 90, "127.0.0.1"}, false));
  CHECK_FALSE(budget.take({2, 7, 50, "127.0.0.1"}, false));
  CHECK_FALSE(budget.take({3, 0, 10, "127.0.0.1"}, false));
  budget.forget(2, 6); // another generation of slot 2: not this waiter
  CHECK(budget.waiting() == 2);
  budget.forget(2, 7);
  CHECK(log.order == std::vector<std::uint32_t>{3});
  CHECK(budget.waiting() == 0);
}

TEST_CASE("one address holds no more than its share, and others pass its waiters", "[body_budget]") {
  woken_log log;
  auto budget = log.budget(100, 40);
  CHECK(budget.take({1, 0, 30, "127.0.0.5"}, false));
  CHECK_FALSE(
      budget.take({2, 0, 30, "127.0.0.5"}, false));   // 60 > its share of 40, though the budget has room
  CHECK(budget.take({3, 0, 30, "127.0.0.6"}, false)); // another address passes the flooder's waiter
  CHECK(budget.take({4, 0, 30, "127.0.0.7"}, false));
  CHECK(budget.held_by("127.0.0.5") == 30);
  CHECK_FALSE(
      budget.take({5, 0, 30, "127.0.0.8"}, false)); // the budget itself is full: first come first served
  budget.give("127.0.0.6", 30);
  CHECK(log.order == std::vector<std::uint32_t>{5}); // 2 is still over its share and is passed over
  budget.give("127.0.0.5", 30);
  CHECK(log.order == std::vector<std::uint32_t>{5, 2});
  CHECK(budget.held_by("127.0.0.5") == 30);
  CHECK(budget.waiting() == 0);
}

TEST_CASE(
    "an address holding nothing may take one body larger than its share, and the default share is a quarter",
    "[body_budget]") {
  std::atomic<std::int64_t> now{0}, peak{0};
  body_budget budget(
      100, 0, [](const body_budget::waiter&) {}, now, peak);
  CHECK(budget.share() == 25);
  CHECK(budget.take({1, 0, 60, "127.0.0.5"}, false));
  CHECK_FALSE(budget.take({2, 0, 10, "127.0.0.5"}, false));
  CHECK(budget.take({3, 0, 25, "127.0.0.6"}, false));
}
