// address_budget: a listener's slots shared among addresses, a flood from one taking its share only.
#include <catch2/catch.hpp>

#include "plugnode/runtime/net/address_budget.hpp"

using plugnode::runtime::net::address_budget;

TEST_CASE("an address is spent at its share, others still find room", "[address_budget]") {
  address_budget budget(10, 2);
  budget.take("10.0.0.5");
  CHECK_FALSE(budget.spent("10.0.0.5"));
  budget.take("10.0.0.5");
  CHECK(budget.spent("10.0.0.5"));
  CHECK_FALSE(budget.spent("10.0.0.6"));
  budget.give_back("10.0.0.5");
  CHECK_FALSE(budget.spent("10.0.0.5"));
}

TEST_CASE("when every slot is taken the address holding the most makes room", "[address_budget]") {
  address_budget budget(5, 4);
  for (int i = 0; i < 3; ++i)
    budget.take("flood");
  budget.take("a");
  CHECK_FALSE(budget.full());
  budget.take("b");
  CHECK(budget.full());
  CHECK(budget.busiest() == "flood");
  budget.give_back("flood");
  CHECK_FALSE(budget.full());
}

TEST_CASE("giving back what was never taken changes nothing", "[address_budget]") {
  address_budget budget(1, 1);
  budget.give_back("nobody");
  budget.take("a");
  CHECK(budget.full());
  CHECK(budget.spent("a"));
}
