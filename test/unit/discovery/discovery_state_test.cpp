// The diff, missing-K and poll-pace decisions, with a fake clock.
#include "plugnode/discovery/discovery_state.hpp"

#include <set>

#include <catch2/catch.hpp>

using namespace plugnode::discovery;
using namespace std::chrono_literals;
using plugnode::runtime::node_name;

namespace {

node_name node(const std::string& text) {
  return *node_name::parse(text);
}

std::vector<peer> answer(std::initializer_list<const char*> nodes) {
  std::vector<peer> out;
  for (const auto* n : nodes)
    out.push_back({node(n), 4370, {}});
  return out;
}

std::vector<std::string> texts(const std::vector<node_name>& nodes) {
  std::vector<std::string> out;
  for (const auto& n : nodes)
    out.push_back(n.to_string());
  return out;
}

std::vector<std::string> texts(const std::vector<peer>& peers) {
  std::vector<node_name> nodes;
  for (const auto& p : peers)
    nodes.push_back(p.node);
  return texts(nodes);
}

// A clock the test moves by hand.
struct fake_clock {
  std::chrono::steady_clock::time_point now{};
  discovery_state::clock fn() {
    return [this] { return now; };
  }
};

discovery_state make_state(fake_clock& clock, poll_settings settings = {}) {
  return discovery_state(node("a@self"), settings, clock.fn(), 42);
}

} // namespace

TEST_CASE("new nodes are connected, never self, each once", "[discovery_state]") {
  fake_clock clock;
  auto state = make_state(clock);
  auto todo = state.on_answer(answer({"a@self", "a@b", "a@c", "a@b"}));
  CHECK(texts(todo.connect) == std::vector<std::string>{"a@b", "a@c"});
  CHECK(todo.disconnect.empty());
  CHECK(state.members().size() == 2);
  CHECK(state.on_answer(answer({"a@self", "a@b", "a@c"})).connect.empty()); // still pending
}

TEST_CASE("a node is dropped only after missing K consecutive good answers", "[discovery_state]") {
  fake_clock clock;
  auto state = make_state(clock, poll_settings{250ms, 5s, 0.2, 3});
  state.on_answer(answer({"a@b", "a@c"}));
  CHECK(state.on_answer(answer({"a@b"})).disconnect.empty());
  CHECK(state.members().at(node("a@c")).missing == 1);
  CHECK(state.on_answer(answer({"a@b"})).disconnect.empty());
  // Back in the answer: the count starts again.
  CHECK(state.on_answer(answer({"a@b", "a@c"})).disconnect.empty());
  CHECK(state.members().at(node("a@c")).missing == 0);
  state.on_answer(answer({"a@b"}));
  state.on_answer(answer({"a@b"}));
  auto todo = state.on_answer(answer({"a@b"}));
  CHECK(texts(todo.disconnect) == std::vector<std::string>{"a@c"});
  CHECK(state.members().count(node("a@c")) == 0);
}

TEST_CASE("failed lookups change nothing, however many", "[discovery_state]") {
  fake_clock clock;
  auto state = make_state(clock);
  state.on_answer(answer({"a@b"}));
  state.on_link(node("a@b"), true);
  for (int i = 0; i < 10; ++i)
    state.on_error({dns_errc::timeout, "no answer"});
  CHECK(state.members().size() == 1);
  CHECK(state.members().at(node("a@b")).missing == 0);
  CHECK(state.connected_count() == 1);
  CHECK(state.errors() == 10);
  CHECK(state.polls() == 11);
  REQUIRE(state.last_error());
  CHECK(state.last_error()->code == dns_errc::timeout);
}

TEST_CASE("a node whose connect failed or dropped is asked again on the next answer", "[discovery_state]") {
  fake_clock clock;
  auto state = make_state(clock);
  state.on_answer(answer({"a@b", "a@c"}));
  state.on_link(node("a@b"), false);
  state.on_link(node("a@c"), true);
  CHECK(state.connected_count() == 1);
  CHECK(texts(state.on_answer(answer({"a@b", "a@c"})).connect) == std::vector<std::string>{"a@b"});
  CHECK(state.members().at(node("a@b")).link == link_state::pending);
  state.on_link(node("a@c"), false); // nodedown
  CHECK(texts(state.on_answer(answer({"a@b", "a@c"})).connect) == std::vector<std::string>{"a@c"});
  state.on_link(node("a@zzz"), true); // not a member: ignored
  CHECK(state.members().size() == 2);
}

TEST_CASE("poll pace: fast until the first good answer, then the interval with jitter", "[discovery_state]") {
  fake_clock clock;
  auto state = make_state(clock, poll_settings{250ms, 5s, 0.2, 3});
  CHECK_FALSE(state.ready());
  CHECK(state.next_delay() == 250ms);
  state.on_error({dns_errc::timeout, "x"});
  CHECK(state.next_delay() == 250ms); // still starting: no backoff yet
  state.on_answer(answer({"a@b"}));
  CHECK(state.ready());
  std::set<long long> seen;
  for (int i = 0; i < 100; ++i) {
    auto delay = state.next_delay();
    CHECK(delay >= 4000ms);
    CHECK(delay <= 6000ms);
    seen.insert(delay.count());
  }
  CHECK(seen.size() > 10); // jittered, not one fixed value
}

TEST_CASE("after the first answer, errors back off from fast to the interval", "[discovery_state]") {
  fake_clock clock;
  auto state = make_state(clock, poll_settings{250ms, 5s, 0.2, 3});
  state.on_answer(answer({"a@b"}));
  std::vector<long long> delays;
  for (int i = 0; i < 7; ++i) {
    state.on_error({dns_errc::timeout, "x"});
    delays.push_back(state.next_delay().count());
  }
  CHECK(delays == std::vector<long long>{250, 500, 1000, 2000, 4000, 5000, 5000});
  state.on_answer(answer({"a@b"}));
  CHECK(state.next_delay() >= 4000ms); // back to the interval
}

TEST_CASE("last seen and last answer follow the clock", "[discovery_state]") {
  fake_clock clock;
  auto state = make_state(clock);
  state.on_answer(answer({"a@b", "a@c"}));
  clock.now += 7s;
  state.on_answer(answer({"a@b"}));
  CHECK(state.members().at(node("a@b")).last_seen == clock.now);
  CHECK(state.members().at(node("a@c")).last_seen == clock.now - 7s);
  CHECK(state.last_answer_at() == clock.now);
}

TEST_CASE("a node that cannot be connected is asked again soon, backing off to the interval",
          "[discovery_state]") {
  fake_clock clock;
  auto state = make_state(clock, poll_settings{250ms, 5s, 0.2, 3});
  state.on_answer(answer({"a@b", "a@c"}));
  state.on_link(node("a@c"), true);
  state.on_link(node("a@b"), false); // not listening yet
  std::vector<long long> delays;
  for (int i = 0; i < 6; ++i) {
    delays.push_back(state.next_delay().count());
    CHECK(texts(state.on_answer(answer({"a@b", "a@c"})).connect) == std::vector<std::string>{"a@b"});
    state.on_link(node("a@b"), false);
  }
  CHECK(delays == std::vector<long long>{250, 500, 1000, 2000, 4000, 5000});
  state.on_answer(answer({"a@b", "a@c"}));
  state.on_link(node("a@b"), true);
  CHECK(state.next_delay() >= 4000ms); // all up: the interval again
}

TEST_CASE("an answer naming more peers than max_targets: known ones first, then by name",
          "[discovery_state]") {
  fake_clock clock;
  poll_settings settings;
  settings.max_targets = 3;
  auto state = make_state(clock, settings);
  auto first = state.on_answer(answer({"a@d", "a@b", "a@self", "a@e", "a@c", "a@b"}));
  CHECK(texts(first.connect) == std::vector<std::string>{"a@b", "a@c", "a@d"});
  CHECK(texts(state.left_out()) == std::vector<std::string>{"a@e"});
  // A later answer with a name sorting first does not push out a peer already connected.
  auto second = state.on_answer(answer({"a@a", "a@b", "a@c", "a@d", "a@e"}));
  CHECK(second.connect.empty());
  CHECK(second.disconnect.empty());
  CHECK(texts(state.left_out()) == std::vector<std::string>{"a@a", "a@e"});
  CHECK(state.members().size() == 3);
  // Under the cap nothing is left out.
  state.on_answer(answer({"a@b", "a@c"}));
  CHECK(state.left_out().empty());
}
