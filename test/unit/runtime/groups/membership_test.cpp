// The membership table: owners' parts, syncs as diffs, exits and node losses.
#include "groups/membership.hpp"

#include <catch2/catch.hpp>

#include "plugnode/test/idle_actor.hpp"
#include <caf/all.hpp>

using namespace plugnode::runtime;
using plugnode::runtime::detail::local_owner;
using plugnode::runtime::detail::membership;

namespace {

struct actors {
  caf::actor_system_config cfg;
  caf::actor_system sys{cfg};
  caf::actor a = plugnode::test::spawn_idle(sys);
  caf::actor b = plugnode::test::spawn_idle(sys);
  caf::actor c = plugnode::test::spawn_idle(sys);
  ~actors() {
    for (auto* x : {&a, &b, &c})
      caf::anon_send_exit(*x, caf::exit_reason::user_shutdown);
  }
};

} // namespace

TEST_CASE("members lists this node's members first, then each peer's, and every join counts", "[groups]") {
  actors x;
  membership m;
  m.add("peer-1", "g", {x.c});
  m.add(local_owner, "g", {x.a});
  m.add(local_owner, "g", {x.a}); // joined twice, listed twice (as :pg)
  CHECK(m.members("g") == std::vector<caf::actor>{x.a, x.a, x.c});
  CHECK(m.owned(local_owner, "g") == std::vector<caf::actor>{x.a, x.a});
  CHECK(m.remove(local_owner, "g", {x.a, x.b}) == std::vector<caf::actor>{x.a});
  CHECK(m.members("g") == std::vector<caf::actor>{x.a, x.c});
  CHECK(m.groups() == std::vector<std::string>{"g"});
  m.remove(local_owner, "g", {x.a});
  m.remove("peer-1", "g", {x.c});
  CHECK(m.groups().empty()); // an empty group is no group
}

TEST_CASE("a sync replaces exactly the peer's part and reports the difference", "[groups]") {
  actors x;
  membership m;
  m.add(local_owner, "g", {x.a});
  m.add("peer-1", "g", {x.b});
  m.add("peer-1", "h", {x.b});
  auto changes = m.replace("peer-1", {{"g", {x.b, x.c}}, {"k", {x.c}}});
  REQUIRE(changes.size() == 3);
  CHECK(changes[0].group == "g");
  CHECK(changes[0].joined == std::vector<caf::actor>{x.c});
  CHECK(changes[0].left.empty());
  CHECK(changes[1].group == "h");
  CHECK(changes[1].left == std::vector<caf::actor>{x.b});
  CHECK(changes[2].group == "k");
  CHECK(m.members("g") == std::vector<caf::actor>{x.a, x.b, x.c});
  CHECK(m.groups() == std::vector<std::string>{"g", "k"});
  CHECK(m.replace("peer-1", m.view("peer-1")).empty()); // the same view again changes nothing
}

TEST_CASE("an exit ends every membership of the actor and a node loss every one of the node", "[groups]") {
  actors x;
  membership m;
  m.add(local_owner, "g", {x.a, x.b, x.a});
  m.add(local_owner, "h", {x.a});
  m.add("peer-1", "g", {x.c});
  auto left = m.remove_everywhere(local_owner, x.a.address());
  REQUIRE(left.size() == 2);
  CHECK(left[0].group == "g");
  CHECK(left[0].members.size() == 2);
  CHECK(left[1].group == "h");
  CHECK(m.members("g") == std::vector<caf::actor>{x.b, x.c});
  auto had = m.drop("peer-1");
  REQUIRE(had.size() == 1);
  CHECK(had[0].members == std::vector<caf::actor>{x.c});
  CHECK(m.members("g") == std::vector<caf::actor>{x.b});
}
