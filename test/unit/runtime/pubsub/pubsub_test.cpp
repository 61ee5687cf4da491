// Pub/sub between two nodes in one process: who gets a broadcast, broadcast_from, local_broadcast,
// unsubscribing, and a subscriber's end (the 3-process test is test/integration/cluster/pubsub_test.cpp).
#include "plugnode/runtime/pubsub.hpp"

#include <thread>

#include <catch2/catch.hpp>

#include <caf/all.hpp>

#include "../node/test_nodes.hpp"
#include "plugnode/test/idle_actor.hpp"
#include "plugnode/test/ports.hpp"

using namespace plugnode::runtime;
using namespace std::chrono_literals;
using plugnode::runtime::testing::listening_on;

namespace {

template <class F> bool soon(F probe) {
  auto deadline = std::chrono::steady_clock::now() + 3s;
  while (!probe()) {
    if (std::chrono::steady_clock::now() > deadline)
      return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

// The next string `self` receives, or "none" within 300 ms.
std::string next(caf::scoped_actor& self) {
  std::string out = "none";
  self->receive([&](const std::string& text) { out = text; }, caf::after(300ms) >> [] {});
  return out;
}

} // namespace

TEST_CASE("a broadcast reaches subscribers on both nodes, once, and only them", "[pubsub]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  node a(listening_on("127.0.0.2", port));
  node b(listening_on("127.0.0.3", port));
  REQUIRE_FALSE(a.start());
  REQUIRE_FALSE(b.start());
  REQUIRE(a.remote_agent("app@127.0.0.3", 2s));
  caf::scoped_actor on_a{a.system()}, on_b{b.system()}, other{b.system()};
  REQUIRE(subscribe(a, "news", on_a));
  REQUIRE(subscribe(b, "news", on_b));
  REQUIRE(subscribe(b, "sports", other));
  CHECK_FALSE(subscribe(a, "news", on_b)); // subscriptions are local
  REQUIRE(soon([&] { return topic_node_count(a, "news") == 1 && topic_node_count(b, "news") == 1; }));
  CHECK(topic_node_count(a, "sports") == 1);
  CHECK(topic_node_count(b, "sports") == 0); // no subscriber on a

  caf::scoped_actor publisher{a.system()};
  REQUIRE(broadcast(publisher.ptr(), a, "news", std::string("one")));
  CHECK(next(on_a) == "one");
  CHECK(next(on_b) == "one");
  CHECK(next(other) == "none");

  REQUIRE(broadcast_from(publisher.ptr(), a, on_a, "news", std::string("two")));
  CHECK(next(on_b) == "two");
  CHECK(next(on_a) == "none");

  local_broadcast(publisher.ptr(), a, "news", std::string("three"));
  CHECK(next(on_a) == "three");
  CHECK(next(on_b) == "none");

  REQUIRE(unsubscribe(b, "news", on_b));
  CHECK_FALSE(unsubscribe(b, "news", on_b));
  REQUIRE(soon([&] { return topic_node_count(a, "news") == 0; }));
  REQUIRE(broadcast(publisher.ptr(), a, "news", std::string("four")));
  CHECK(next(on_a) == "four");
  CHECK(next(on_b) == "none");

  auto figures = pubsub_figures(a);
  CHECK(figures.topics == 1);
  CHECK(figures.subscribers == 1);
  CHECK(figures.broadcasts == 4);
  CHECK(figures.forwarded == 2);
  CHECK(pubsub_figures(b).received == 2);
}

TEST_CASE("a subscriber's end is its unsubscribe everywhere", "[pubsub]") {
  auto port = plugnode::test::free_port("127.0.0.2");
  node a(listening_on("127.0.0.2", port));
  node b(listening_on("127.0.0.3", port));
  REQUIRE_FALSE(a.start());
  REQUIRE_FALSE(b.start());
  REQUIRE(a.remote_agent("app@127.0.0.3", 2s));
  auto subscriber = plugnode::test::spawn_idle(b.system());
  REQUIRE(subscribe(b, "t", subscriber));
  REQUIRE(soon([&] { return topic_node_count(a, "t") == 1; }));
  caf::anon_send_exit(subscriber, caf::exit_reason::user_shutdown);
  CHECK(soon([&] { return topic_node_count(a, "t") == 0; }));
  CHECK(soon([&] { return pubsub_figures(b).subscribers == 0; }));
}
