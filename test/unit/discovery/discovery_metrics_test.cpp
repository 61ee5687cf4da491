// discovery's Prometheus series on the app's registry.
#include "plugnode/discovery/discovery_metrics.hpp"

#include <catch2/catch.hpp>

using namespace plugnode::discovery;

TEST_CASE("a restarted discovery actor continues the same series on the app's registry",
          "[discovery_metrics]") {
  prometheus::Registry registry;
  discovery_metrics first(registry);
  first.polls.Increment(3);
  first.connected.Set(2);
  discovery_metrics second(registry); // what a supervisor restart does
  second.polls.Increment();
  CHECK(second.polls.Value() == 4);
  CHECK(second.connected.Value() == 2);
  std::vector<std::string> names;
  for (const auto& family : registry.Collect())
    names.push_back(family.name);
  std::sort(names.begin(), names.end());
  CHECK(names ==
        std::vector<std::string>{"plugnode_discovery_connected_nodes", "plugnode_discovery_discovered_nodes",
                                 "plugnode_discovery_errors_total", "plugnode_discovery_polls_total"});
}
