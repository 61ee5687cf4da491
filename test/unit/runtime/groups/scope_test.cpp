// A node's group scope: joins, leaves, monitors and exits on one node, and the view of two nodes in one
// process converging both ways (the 3-process test is test/integration/cluster/groups_test.cpp).
#include "plugnode/runtime/groups.hpp"

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "../node/test_nodes.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/node.hpp"
#include "plugnode/test/idle_actor.hpp"
#include "plugnode/test/ports.hpp"

using namespace plugnode::runtime;
using namespace std::chrono_literals;
using plugnode::runtime::testing::listening_on;

namespace {

// Polls `probe` until it is true or 3 s passed.
template <class F> bool soon(F probe) {
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!probe()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

} // namespace

TEST_CASE("join, leave, members and which_groups on one node", "[groups]") {
  node n(listening_on("127.0.0.2", 0));
  REQUIRE_FALSE(n.start());
  groups pg(n, n.group_scope());
  auto a = plugnode::test::spawn_idle(n.system());
  auto b = plugnode::test::spawn_idle(n.system());
  CHECK(pg.join("workers", a));
  CHECK(pg.join("workers", b));
  CHECK(pg.join("cache", a));
  CHECK_FALSE(pg.join("", a)); // "" names the whole scope
  CHECK(pg.members("workers") == std::vector<caf::actor>{a, b});
  CHECK(pg.local_members("cache") == std::vector<caf::actor>{a});
  CHECK(pg.which_groups() == std::vector<std::string>{"cache", "workers"});
  CHECK(pg.leave("workers", b));
  CHECK_FALSE(pg.leave("workers", b));
  CHECK(pg.members("workers") == std::vector<caf::actor>{a});
  // An actor's exit ends its memberships.
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  CHECK(soon([&] { return pg.which_groups().empty(); }));
  caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
}

TEST_CASE("a monitor sees joins and leaves of its group, and of the whole scope", "[groups]") {
  node n(listening_on("127.0.0.2", 0));
  REQUIRE_FALSE(n.start());
  groups pg(n, n.group_scope());
  auto a = plugnode::test::spawn_idle(n.system());
  REQUIRE(pg.join("g", a));
  caf::scoped_actor watcher{n.system()};
  CHECK(pg.monitor("g", watcher) == std::vector<caf::actor>{a});
  std::vector<caf::actor> whole;
  watcher->request(n.group_scope(), 1s, pg_monitor_atom_v, caf::actor(watcher))
      .receive([&](std::vector<group_members>& all) { REQUIRE(all.size() == 1); }, [](caf::error&) {});
  auto b = plugnode::test::spawn_idle(n.system());
  REQUIRE(pg.join("g", b));
  int joined = 0;
  watcher->receive_for(joined, 2)(
      [&](pg_joined_atom, const std::string& scope, const std::string& group, std::vector<caf::actor>& xs) {
        CHECK(scope == "pg");
        CHECK(group == "g");
        CHECK(xs == std::vector<caf::actor>{b});
      },
      caf::after(2s) >> [&] { FAIL("no join event"); });
  caf::anon_send_exit(b, caf::exit_reason::user_shutdown);
  int left = 0;
  watcher->receive_for(left, 2)(
      [&](pg_left_atom, const std::string&, const std::string& group, std::vector<caf::actor>& xs) {
        CHECK(group == "g");
        CHECK(xs.size() == 1);
      },
      caf::after(2s) >> [&] { FAIL("no leave event"); });
  caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
}

TEST_CASE("two nodes see each other's members, whichever joined first, and forget a leaving node's",
          "[groups]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  node a(listening_on("127.0.0.2", port));
  REQUIRE_FALSE(a.start());
  groups pg_a(a, a.group_scope());
  auto early = plugnode::test::spawn_idle(a.system());
  REQUIRE(pg_a.join("g", early)); // before the nodes meet: the sync carries it
  {
    node b(listening_on("127.0.0.3", port));
    REQUIRE_FALSE(b.start());
    groups pg_b(b, b.group_scope());
    REQUIRE(a.remote_agent("app@127.0.0.3", 2s));
    auto late = plugnode::test::spawn_idle(b.system());
    REQUIRE(pg_b.join("g", late)); // after: the join message carries it
    CHECK(soon([&] { return pg_b.members("g").size() == 2; }));
    CHECK(soon([&] { return pg_a.members("g").size() == 2; }));
    CHECK(pg_a.local_members("g") == std::vector<caf::actor>{early});
    caf::anon_send_exit(late, caf::exit_reason::user_shutdown);
    CHECK(soon([&] { return pg_a.members("g").size() == 1; }));
    auto again = plugnode::test::spawn_idle(b.system());
    REQUIRE(pg_b.join("g", again));
    CHECK(soon([&] { return pg_a.members("g").size() == 2; }));
    b.leave(); // a forgets b's members at once, though `again` lives on
    CHECK(soon([&] { return pg_a.members("g") == std::vector<caf::actor>{early}; }));
    caf::anon_send_exit(again, caf::exit_reason::user_shutdown);
  }
  caf::anon_send_exit(early, caf::exit_reason::user_shutdown);
}
