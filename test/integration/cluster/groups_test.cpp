// Process groups across three real nodes: every node's view converges after joins, leaves and exits, a node
// that arrives later gets the full view, and a killed node's members vanish everywhere at once.
#include <signal.h>

#include <iostream>

#include <catch2/catch.hpp>

#include "cluster_harness.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

namespace {

// Waits until `line` answers `expected` on every node; the time it took, in milliseconds.
long converge(std::vector<cluster_node*> nodes, const std::string& line, const std::string& expected) {
  auto start = clock_type::now();
  for (auto* n : nodes)
    CHECK(wait_for_answer(*n, line, expected, 3s) == expected);
  return static_cast<long>(
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - start).count());
}

} // namespace

TEST_CASE("three nodes' group views converge on joins, leaves, exits and a kill -9", "[cluster][groups]") {
  auto port = shared_free_port({"127.0.0.2", "127.0.0.3", "127.0.0.4"});
  cluster_node a("127.0.0.2", port), b("127.0.0.3", port);
  REQUIRE((a.ready() && b.ready()));
  REQUIRE(a.cmd("connect app@127.0.0.3") == "true");
  REQUIRE(a.cmd("pg_join workers 2") == "true");
  REQUIRE(b.cmd("pg_join workers 3") == "true");
  REQUIRE(b.cmd("pg_join cache 1") == "true");
  auto joined_ms = converge({&a, &b}, "pg_members workers", "5");
  std::cout << "groups: a join seen on both nodes within " << joined_ms << " ms\n";
  CHECK(a.cmd("pg_local workers") == "2");
  // Each member named by its node, as :pg.get_members' pids show theirs: this node's first.
  CHECK(a.cmd("pg_where workers") == "app@127.0.0.2:2,app@127.0.0.3:3");
  CHECK(b.cmd("pg_where workers") == "app@127.0.0.3:3,app@127.0.0.2:2");
  CHECK(a.cmd("pg_groups") == "cache,workers");

  // A node that arrives later gets the full view from each peer (its discover, their syncs).
  cluster_node c("127.0.0.4", port);
  REQUIRE(c.ready());
  REQUIRE(c.cmd("connect app@127.0.0.2") == "true");
  auto synced_ms = converge({&c}, "pg_members workers", "5");
  std::cout << "groups: a new node had the full view within " << synced_ms << " ms\n";
  CHECK(c.cmd("pg_groups") == "cache,workers");
  REQUIRE(c.cmd("pg_join workers 1") == "true");
  converge({&a, &b, &c}, "pg_members workers", "6");

  REQUIRE(b.cmd("pg_leave workers") == "true");
  converge({&a, &b, &c}, "pg_members workers", "5");
  REQUIRE(c.cmd("pg_exit workers") == "ok"); // an actor's end is its leave
  converge({&a, &b, &c}, "pg_members workers", "4");

  auto killed = clock_type::now();
  b.proc().signal(SIGKILL); // b's two workers and its cache member go with it
  converge({&a, &c}, "pg_members workers", "2");
  converge({&a, &c}, "pg_groups", "workers");
  CHECK(c.cmd("pg_where workers") == "app@127.0.0.2:2");
  CHECK(clock_type::now() - killed < 1500ms); // the failure bound; a closed connection is seen at once
}
