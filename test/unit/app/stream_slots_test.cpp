// The admin listener's event streams shared among addresses: a share each, and a fresh address served by
// ending the oldest stream of the address holding the most.
#include "stream_slots.hpp"

#include <catch2/catch.hpp>

using plugnode::app::stream_slots;
using plugnode::plugs::response_stream;

namespace {
std::shared_ptr<response_stream> a_stream() {
  return std::make_shared<response_stream>(1024, [] {});
}
} // namespace

TEST_CASE("an address gets its share of streams and no more, and one ending frees its slot", "[admin]") {
  auto slots = std::make_shared<stream_slots>(4, 2);
  auto first = a_stream(), second = a_stream();
  CHECK(slots->admit("127.0.0.1", first));
  CHECK(slots->admit("127.0.0.1", second));
  CHECK(slots->spent("127.0.0.1"));
  CHECK_FALSE(slots->admit("127.0.0.1", a_stream()));
  CHECK_FALSE(slots->spent("127.0.0.2"));
  first->close();
  CHECK(slots->open() == 1);
  CHECK(slots->admit("127.0.0.1", a_stream()));
}

TEST_CASE("with every slot taken a fresh address ends the oldest stream of the address holding the most",
          "[admin]") {
  auto slots = std::make_shared<stream_slots>(3, 2);
  auto light = a_stream(), old_heavy = a_stream(), new_heavy = a_stream();
  REQUIRE(slots->admit("127.0.0.1", light));
  REQUIRE(slots->admit("127.0.0.2", old_heavy));
  REQUIRE(slots->admit("127.0.0.2", new_heavy));
  CHECK(slots->admit("127.0.0.3", a_stream()));
  CHECK_FALSE(old_heavy->is_open());
  CHECK(new_heavy->is_open());
  CHECK(light->is_open());
  CHECK(slots->open() == 3);
}

TEST_CASE("a stream outliving its slots ends without touching them", "[admin]") {
  auto stream = a_stream();
  {
    auto slots = std::make_shared<stream_slots>(1, 1);
    REQUIRE(slots->admit("127.0.0.1", stream));
  }
  stream->close();
  CHECK_FALSE(stream->is_open());
}
