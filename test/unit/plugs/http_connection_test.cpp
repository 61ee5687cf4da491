// The ownership word of an HTTP connection: who may touch it, and how news reaches its owner (an event
// during a turn, a handler's response coming back, a plug's stream, the sweeper's look without owning).
#include "http_connection.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

using namespace plugnode::plugs;
using namespace std::chrono_literals;

TEST_CASE("an event makes its taker the owner, and one during a turn sends the owner round once more",
          "[http_connection]") {
  http_connection c;
  auto gen = c.generation();
  REQUIRE(c.claim_for_event(gen));
  CHECK_FALSE(c.claim_for_event(gen)); // owned: told through the pending bit instead
  CHECK_FALSE(c.release());            // so the owner looks at the socket again
  CHECK(c.release());
  CHECK(c.claim_for_event(gen));
  CHECK(c.release());
}

TEST_CASE("an event of a closed connection is ignored in the slot's next one", "[http_connection]") {
  http_connection c;
  auto old = c.generation();
  REQUIRE(c.claim_for_event(old));
  c.retire(); // closed by its owner, the slot free for a new connection
  CHECK(c.generation() == old + 1);
  CHECK_FALSE(c.claim_for_event(old));
  CHECK_FALSE(c.notify(old));
  CHECK_FALSE(c.claim_when_free(old));
  CHECK(c.claim_for_event(old + 1));
}

TEST_CASE("the sweeper claims only a connection nothing happened to since it looked", "[http_connection]") {
  http_connection c;
  auto seen = c.word();
  REQUIRE(c.claim_for_event(c.generation()));
  CHECK_FALSE(c.claim_if_unchanged(c.word())); // owned
  REQUIRE(c.release());
  CHECK_FALSE(c.claim_if_unchanged(seen)); // released since: a worker served it after the look
  CHECK(c.claim_if_unchanged(c.word()));
  CHECK(c.release());
}

TEST_CASE("news for a connection: armed by the sender when nobody owns it, else its owner goes round",
          "[http_connection]") {
  http_connection c;
  auto gen = c.generation();
  CHECK(c.notify(gen)); // free: the caller arms the socket
  REQUIRE(c.claim_for_event(gen));
  CHECK_FALSE(c.notify(gen)); // owned: pending
  CHECK_FALSE(c.notify(gen)); // once is enough
  CHECK_FALSE(c.release());
  CHECK(c.release());
}

TEST_CASE("a handler's response waits out an owner's turn, then owns the connection", "[http_connection]") {
  http_connection c;
  auto gen = c.generation();
  REQUIRE(c.claim_for_event(gen)); // e.g. the deadline's owner writing its 503
  std::atomic<bool> back{false};
  std::thread handler([&] {
    REQUIRE(c.claim_when_free(gen));
    back = true;
    c.release();
  });
  std::this_thread::sleep_for(50ms);
  CHECK_FALSE(back);
  REQUIRE(c.release());
  handler.join();
  CHECK(back);
}
