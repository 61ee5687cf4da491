// body_budget: bytes are taken while they fit, waiters are woken in order as bytes come back, and a body
// larger than the whole budget still proceeds alone.
#include <catch2/catch.hpp>

#include <vector>

#include "body_budget.hpp"

using plugnode::plugs::body_budget;

namespace {

struct woken_log {
  std::atomic<std::int64_t> now{0};
  std::atomic<std::int64_t> peak{0};
  std::vector<std::uint32_t> order;
  body_budget budget(std::size_t limit) {
    return body_budget(
        limit, [this](const body_budget::waiter& w) { order.push_back(w.index); }, now, peak);
  }
};

} // namespace

TEST_CASE("bytes are taken while they fit, and past that waiters wake in order as bytes come back",
          "[body_budget]") {
  woken_log log;
  auto budget = log.budget(100);
  CHECK(budget.take({1, 0, 60}, false));
  CHECK(budget.take({2, 0, 40}, false));
  CHECK_FALSE(budget.take({3, 0, 50}, false));
  CHECK_FALSE(budget.take({4, 0, 10}, false)); // fits, but 3 came first
  CHECK(budget.waiting() == 2);
  budget.give(40);
  CHECK(log.order == std::vector<std::uint32_t>{}); // 3 does not fit yet: 4 stays behind it
  budget.give(60);
  CHECK(log.order == std::vector<std::uint32_t>{3, 4});
  CHECK(budget.held() == 60);
  CHECK(log.now == 60);
  CHECK(log.peak == 100);
}

TEST_CASE("a growing body goes first, and one larger than the budget proceeds when nothing is held",
          "[body_budget]") {
  woken_log log;
  auto budget = log.budget(100);
  CHECK(budget.take({1, 0, 500}, false)); // alone: it may exceed the budget
  CHECK_FALSE(budget.take({2, 0, 10}, false));
  CHECK_FALSE(budget.take({3, 0, 20}, true)); // holds bytes already: ahead of 2
  budget.give(500);
  CHECK(log.order == std::vector<std::uint32_t>{3, 2});
}

TEST_CASE("a closing waiter is forgotten and the one behind it may then fit", "[body_budget]") {
  woken_log log;
  auto budget = log.budget(100);
  CHECK(budget.take({1, 0, 90}, false));
  CHECK_FALSE(budget.take({2, 7, 50}, false));
  CHECK_FALSE(budget.take({3, 0, 10}, false));
  budget.forget(2, 6); // another generation of slot 2: not this waiter
  CHECK(budget.waiting() == 2);
  budget.forget(2, 7);
  CHECK(log.order == std::vector<std::uint32_t>{3});
  CHECK(budget.waiting() == 0);
}
