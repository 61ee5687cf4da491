// address_budget: a listener's slots shared among addresses, a flood from one taking its share only, and the
// client to evict chosen fairly (most slots, then idle longest), never by the address's text.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "plugnode/runtime/net/address_budget.hpp"

using plugnode::runtime::net::address_budget;

namespace {

struct client {
  std::string address;
  int idle_since; // when it last made progress (smaller: longer ago)
};

// The address of the client `budget` evicts from `clients` (all of which it has taken).
std::string evicted(const address_budget& budget, const std::vector<client>& clients) {
  auto it = budget.evictee(
      clients.begin(), clients.end(), [](const client& c) -> const std::string& { return c.address; },
      [](const client& c) { return c.idle_since; });
  return it == clients.end() ? "" : it->address;
}

} // namespace

TEST_CASE("an address is spent at its share, others still find room", "[address_budget]") {
  address_budget budget(10, 2);
  budget.take("10.0.0.5");
  CHECK_FALSE(budget.spent("10.0.0.5"));
  budget.take("10.0.0.5");
  CHECK(budget.spent("10.0.0.5"));
  CHECK(budget.held("10.0.0.5") == 2);
  CHECK_FALSE(budget.spent("10.0.0.6"));
  budget.give_back("10.0.0.5");
  CHECK_FALSE(budget.spent("10.0.0.5"));
}

TEST_CASE("when every slot is taken the address holding the most makes room", "[address_budget]") {
  address_budget budget(5, 4);
  // The flood's clients progressed more recently than the others: holding the most still decides.
  std::vector<client> clients{{"a", 1}, {"flood", 5}, {"flood", 6}, {"flood", 7}, {"b", 2}};
  for (const auto& c : clients)
    budget.take(c.address);
  CHECK(budget.full());
  CHECK(evicted(budget, clients) == "flood");
  budget.give_back("flood");
  CHECK_FALSE(budget.full());
}

TEST_CASE("a tie goes to the client idle longest, whatever the address's text", "[address_budget]") {
  // One client from each of many addresses: before, the lexicographically first address (127.0.0.x against
  // 127.0.1.x) lost every tie, so a peer there could never keep a slot.
  address_budget budget(4, 8);
  std::vector<client> clients{{"127.0.0.2", 40}, {"127.0.1.9", 10}, {"127.0.2.7", 30}, {"127.0.3.1", 20}};
  for (const auto& c : clients)
    budget.take(c.address);
  CHECK(evicted(budget, clients) == "127.0.1.9");
  clients[1].idle_since = 50; // it sent a byte: now the one idle longest is another
  CHECK(evicted(budget, clients) == "127.0.3.1");
}

TEST_CASE("among the busiest addresses the client idle longest goes first", "[address_budget]") {
  address_budget budget(6, 8);
  std::vector<client> clients{{"10.0.0.1", 1}, {"10.0.0.9", 5}, {"10.0.0.9", 2},
                              {"10.0.0.5", 6}, {"10.0.0.5", 3}, {"10.0.0.7", 0}};
  for (const auto& c : clients)
    budget.take(c.address);
  // 10.0.0.1 and 10.0.0.7 were idle longer, but hold one slot each; of the two holding two, 10.0.0.9's
  // client idle since 2 is the oldest.
  CHECK(evicted(budget, clients) == "10.0.0.9");
}

TEST_CASE("giving back what was never taken changes nothing", "[address_budget]") {
  address_budget budget(1, 1);
  budget.give_back("nobody");
  budget.take("a");
  CHECK(budget.full());
  CHECK(budget.spent("a"));
  CHECK(evicted(budget, {}) == "");
}
