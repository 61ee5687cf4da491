// Supervision in a real node: a crashed child is restarted (and re-registered); crashing past the intensity
// limit stops the node with a clear log line and a non-zero exit.
#include <catch2/catch.hpp>

#include "cluster_harness.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

cluster_node_options supervising(int max_restarts, int period_ms) {
  cluster_node_options options;
  options.extra_args = {"--supervise", "--max-restarts", std::to_string(max_restarts), "--period",
                        std::to_string(period_ms)};
  return options;
}

// Crashes the child and waits until a new instance runs; returns the new instance's id.
std::string crash_and_wait(cluster_node& n) {
  auto before = n.cmd("child worker");
  n.cmd("crash worker");
  std::string after = before;
  eventually(
      [&] {
        after = n.cmd("child worker");
        return after != before;
      },
      2s);
  return after;
}

} // namespace

TEST_CASE("a crashed child is restarted and registered again", "[cluster][supervisor]") {
  auto port = shared_free_port({"127.0.0.2"});
  cluster_node a("127.0.0.2", port, supervising(3, 5000));
  REQUIRE(a.ready());
  auto first = a.cmd("child worker");
  REQUIRE_THAT(first, !Catch::StartsWith("error"));
  auto second = crash_and_wait(a);
  CHECK(second != first);
  CHECK_THAT(second, !Catch::StartsWith("error"));
  CHECK(a.proc().running());
  CHECK(a.cmd("call worker app@127.0.0.2 hi") == "hi");
  CHECK(eventually([&] { return a.output().find("child 'worker' died") != std::string::npos; }, 1s));
}

TEST_CASE("crashing past the intensity limit stops the node with exit code 1", "[cluster][supervisor]") {
  auto port = shared_free_port({"127.0.0.2"});
  cluster_node a("127.0.0.2", port, supervising(2, 10000));
  REQUIRE(a.ready());
  crash_and_wait(a);
  crash_and_wait(a);
  a.cmd("crash worker");
  CHECK(a.proc().wait(3s) == 1);
  CHECK_THAT(a.output(), Catch::Contains("more than 2 times in 10000 ms; giving up, stopping the node"));
}
