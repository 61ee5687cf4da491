// The node agent's peer table on its own: the two stages of a node, trust, silence, expiry and the report.
#include "agent/peer_table.hpp"

#include <catch2/catch.hpp>

#include <caf/all.hpp>

using namespace plugnode::runtime;
using namespace plugnode::runtime::detail;
using namespace std::chrono_literals;

namespace {

caf::node_id node_number(std::uint32_t n) {
  return *caf::make_node_id(n, "0102030405060708090a0b0c0d0e0f1011121314");
}

// Real (idle) actors: the table tells agents apart by handle and address.
struct actors {
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  std::vector<caf::actor> spawned;
  caf::actor next() {
    // (An argument: CAF 0.17 dereferences a null pointer spawning a function actor without one.)
    spawned.push_back(system.spawn([](int) -> caf::behavior { return {[](int) {}}; }, 0));
    return spawned.back();
  }
  ~actors() {
    for (auto& a : spawned)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }
};

connected_peer peer_at(caf::actor agent, caf::node_id nid, clock::time_point now, bool hidden = false) {
  return connected_peer{std::move(agent), std::move(nid), 7, hidden, "127.0.0.3:4370", now, now, -1};
}

// A hello from `name` whose proof is due by `deadline`.
awaiting_proof hello_from(std::string name, caf::actor agent, clock::time_point deadline) {
  return awaiting_proof{std::move(name), 1, false, "mine", "", std::move(agent), "", deadline};
}

} // namespace

TEST_CASE("an authenticated peer is found by name, trusted by node id, and forgotten on removal",
          "[peer_table]") {
  actors a;
  peer_table table;
  auto now = clock::now();
  auto agent = a.next();
  table.add("app@127.0.0.3", peer_at(agent, node_number(3), now));
  REQUIRE(table.find("app@127.0.0.3"));
  CHECK(table.trusted(node_number(3)));
  CHECK_FALSE(table.trusted(node_number(4)));
  CHECK(*table.name_of(node_number(3)) == "app@127.0.0.3");
  CHECK(*table.name_with_agent(agent.address()) == "app@127.0.0.3");

  auto gone = table.remove("app@127.0.0.3");
  REQUIRE(gone);
  CHECK(gone->incarnation == 7);
  CHECK_FALSE(table.find("app@127.0.0.3"));
  CHECK_FALSE(table.trusted(node_number(3)));
  CHECK_FALSE(table.remove("app@127.0.0.3"));
}

TEST_CASE("hidden peers are listed apart from the visible ones", "[peer_table]") {
  actors a;
  peer_table table;
  auto now = clock::now();
  table.add("b@127.0.0.3", peer_at(a.next(), node_number(3), now));
  table.add("remsh@localhost", peer_at(a.next(), node_number(9), now, true));
  table.add("a@127.0.0.2", peer_at(a.next(), node_number(2), now));
  CHECK(table.visible_names() == std::vector<std::string>{"a@127.0.0.2", "b@127.0.0.3"});
  CHECK(table.hidden_names() == std::vector<std::string>{"remsh@localhost"});
}

TEST_CASE("a handshake awaiting its proof ends when the node is added, replaced, or taken", "[peer_table]") {
  actors a;
  peer_table table;
  auto now = clock::now();
  auto first = a.next();
  auto hello = hello_from("app@127.0.0.3", first, now + 5s);
  CHECK_FALSE(table.await_proof(node_number(3), hello));
  REQUIRE(table.awaiting(node_number(3)));
  CHECK(table.refers_to(first));
  CHECK_FALSE(table.trusted(node_number(3))); // a hello is a claim, not trust

  // A second hello from the same node replaces the first and hands it back (its agent may need unwatching).
  auto second = a.next();
  hello.agent = second;
  auto replaced = table.await_proof(node_number(3), hello);
  REQUIRE(replaced);
  CHECK(replaced->agent == first);
  CHECK_FALSE(table.refers_to(first));

  // Authenticating ends the first stage.
  table.add("app@127.0.0.3", peer_at(second, node_number(3), now));
  CHECK_FALSE(table.awaiting(node_number(3)));
  CHECK(table.refers_to(second)); // now as a peer

  table.await_proof(node_number(4), hello_from("x@127.0.0.4", a.next(), now + 5s));
  CHECK(table.take_awaiting(node_number(4))->name == "x@127.0.0.4");
  CHECK_FALSE(table.take_awaiting(node_number(4)));
}

TEST_CASE("a handshake whose agent went away is found by that agent's address", "[peer_table]") {
  actors a;
  peer_table table;
  auto agent = a.next();
  table.await_proof(node_number(5), hello_from("x@127.0.0.5", agent, clock::now()));
  CHECK_FALSE(table.take_awaiting_with_agent(a.next().address()));
  CHECK(table.take_awaiting_with_agent(agent.address())->name == "x@127.0.0.5");
  CHECK_FALSE(table.awaiting(node_number(5)));
}

TEST_CASE("only handshakes past their deadline expire", "[peer_table]") {
  actors a;
  peer_table table;
  auto now = clock::now();
  table.await_proof(node_number(3), hello_from("late@127.0.0.3", a.next(), now - 1ms));
  table.await_proof(node_number(4), hello_from("fine@127.0.0.4", a.next(), now + 5s));
  auto expired = table.take_expired(now);
  REQUIRE(expired.size() == 1);
  CHECK(expired.front().first == node_number(3));
  CHECK(expired.front().second.name == "late@127.0.0.3");
  CHECK(table.awaiting(node_number(4)));
}

TEST_CASE("a peer is silent once nothing was heard from it for longer than the bound", "[peer_table]") {
  actors a;
  peer_table table;
  auto t0 = clock::now();
  table.add("a@127.0.0.2", peer_at(a.next(), node_number(2), t0));
  table.add("b@127.0.0.3", peer_at(a.next(), node_number(3), t0));
  CHECK(table.silent(t0 + 3000ms, 3000ms).empty()); // exactly at the bound: not yet
  CHECK(table.heard_from(node_number(2), t0 + 2000ms));
  CHECK_FALSE(table.heard_from(node_number(9), t0 + 2000ms)); // not a peer
  CHECK(table.silent(t0 + 3500ms, 3000ms) == std::vector<std::string>{"b@127.0.0.3"});
  // A heartbeat's answer counts as hearing from it, and gives the round trip.
  table.record_round_trip("b@127.0.0.3", t0 + 3000ms, t0 + 3000ms + 250us);
  CHECK(table.silent(t0 + 3500ms, 3000ms).empty());
  CHECK(table.find("b@127.0.0.3")->rtt_us == 250);
}

TEST_CASE("the report gives each peer's round trip, last seen and time up", "[peer_table]") {
  actors a;
  peer_table table;
  auto t0 = clock::now();
  table.add("a@127.0.0.2", peer_at(a.next(), node_number(2), t0));
  table.record_round_trip("a@127.0.0.2", t0 + 1000ms, t0 + 1000ms + 300us);
  auto report = table.report(t0 + 1500ms);
  REQUIRE(report.size() == 1);
  CHECK(report[0].name == "a@127.0.0.2");
  CHECK(report[0].address == "127.0.0.3:4370");
  CHECK(report[0].rtt_us == 300);
  CHECK(report[0].last_seen_ms == 499);
  CHECK(report[0].up_ms == 1500);
  CHECK(report[0].incarnation == 7);
}

TEST_CASE("BEAM nodes share the table: one list of nodes, one question before a dial", "[peer_table]") {
  peer_table table;
  table.add("b@h", connected_peer{});
  CHECK(table.add_beam("beam@h"));
  CHECK_FALSE(table.add_beam("beam@h")); // reported up twice: one entry
  CHECK(table.knows("beam@h"));
  CHECK(table.knows("b@h"));
  CHECK_FALSE(table.knows("c@h"));
  CHECK(table.is_beam("beam@h"));
  CHECK_FALSE(table.is_beam("b@h"));
  CHECK(table.visible_names() == std::vector<std::string>{"b@h"}); // what a handshake tells a peer
  CHECK(table.all_visible_names() == std::vector<std::string>{"b@h", "beam@h"});
  CHECK(table.remove_beam("beam@h"));
  CHECK_FALSE(table.remove_beam("beam@h"));
  CHECK_FALSE(table.knows("beam@h"));
}
