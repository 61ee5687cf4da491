// discovery's /cluster JSON, from a state driven by a fake clock.
#include "plugnode/discovery/cluster_view.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

using namespace plugnode::discovery;
using namespace std::chrono_literals;
using plugnode::runtime::node_name;

TEST_CASE("the cluster as JSON: peers, their link, how long ago they were seen", "[cluster_view]") {
  std::chrono::steady_clock::time_point now{};
  discovery_state state(
      *node_name::parse("app@a"), {}, [&] { return now; }, 1);
  state.on_answer(
      {{*node_name::parse("app@b"), 4370, {"127.0.0.2"}}, {*node_name::parse("app@c"), 4371, {}}});
  state.on_link(*node_name::parse("app@b"), true);
  now += 1500ms;
  state.on_error({dns_errc::refused, "SRV x: REFUSED"});

  auto json = nlohmann::json::parse(describe_cluster(state, strategy_kind::k8s_srv));
  CHECK(json["strategy"] == "k8s-srv");
  CHECK(json["self"] == "app@a");
  CHECK(json["ready"] == true);
  CHECK(json["polls"] == 2);
  CHECK(json["errors"] == 1);
  CHECK(json["last_answer_ms_ago"] == 1500);
  CHECK(json["last_error"] == "refused: SRV x: REFUSED");
  REQUIRE(json["peers"].size() == 2);
  CHECK(json["peers"][0] == nlohmann::json{{"node", "app@b"},
                                           {"port", 4370},
                                           {"addresses", {"127.0.0.2"}},
                                           {"link", "up"},
                                           {"missing", 0},
                                           {"last_seen_ms_ago", 1500}});
  CHECK(json["peers"][1]["link"] == "pending");
}

TEST_CASE("before any answer: not ready, no peers", "[cluster_view]") {
  discovery_state state(*node_name::parse("app@a"), {});
  auto json = nlohmann::json::parse(describe_cluster(state, strategy_kind::none));
  CHECK(json["ready"] == false);
  CHECK(json["peers"].empty());
  CHECK_FALSE(json.contains("last_answer_ms_ago"));
}
