// Rendezvous hashing: the same owner from any order of hosts, an even spread, and a join or leave moving
// only about 1/N of the keys.
#include "entities/rendezvous.hpp"

#include <algorithm>

#include <catch2/catch.hpp>

using namespace plugnode::runtime::detail;

namespace {

std::vector<std::string> owners(const std::vector<std::string>& hosts, int keys) {
  std::vector<std::string> out;
  for (int k = 0; k < keys; ++k)
    out.push_back(
        hosts[static_cast<std::size_t>(rendezvous_owner("counter", "key-" + std::to_string(k), hosts))]);
  return out;
}

} // namespace

TEST_CASE("the owner does not depend on the order of the hosts", "[entities]") {
  std::vector<std::string> hosts{"a", "b", "c"}, reversed{"c", "b", "a"};
  CHECK(owners(hosts, 200) == owners(reversed, 200));
  CHECK(rendezvous_owner("t", "k", {}) == -1);
}

TEST_CASE("a fourth host takes about a quarter of the keys, all from the others, and its leave undoes it",
          "[entities]") {
  std::vector<std::string> three{"a@x", "b@x", "c@x"}, four{"a@x", "b@x", "c@x", "d@x"};
  auto before = owners(three, 4000), after = owners(four, 4000);
  int moved = 0;
  for (std::size_t i = 0; i < before.size(); ++i)
    if (before[i] != after[i]) {
      ++moved;
      CHECK(after[i] == "d@x"); // keys move only to the new host
    }
  CHECK(moved > 4000 / 4 - 200);
  CHECK(moved < 4000 / 4 + 200);
  for (auto& host : three) {
    auto share = std::count(before.begin(), before.end(), host);
    CHECK(share > 4000 / 3 - 200);
    CHECK(share < 4000 / 3 + 200);
  }
  CHECK(owners(three, 4000) == before);
}
