// read_body: a body in parts, from memory or from a spooled file alike, each byte once; the file unreadable
// once the request has ended.
#include "plugnode/plugs/read_body.hpp"

#include <catch2/catch.hpp>

#include "plugnode/plugs/body_file.hpp"
#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;

namespace {

// Every part read_body gives with parts of `max` bytes, in order.
std::vector<std::string> parts_of(conn& c, std::size_t max) {
  std::vector<std::string> parts;
  for (bool more = true; more;) {
    auto part = read_body(c, max);
    parts.push_back(part.data);
    more = part.more;
  }
  return parts;
}

} // namespace

TEST_CASE("read_body gives a body in parts, kept in memory or spooled", "[read_body]") {
  auto in_memory = test_conn("POST", "/upload", "abcdefghij");
  auto spooled = test_conn("POST", "/upload", "abcdefghij");
  spool_body(spooled);
  CHECK(spooled.body.empty());
  for (auto* c : {&in_memory, &spooled}) {
    CHECK(body_length(*c) == 10);
    CHECK(parts_of(*c, 4) == std::vector<std::string>{"abcd", "efgh", "ij"});
    // All of it was read: what comes now is nothing, and the end.
    auto after = read_body(*c, 4);
    CHECK(after.data.empty());
    CHECK_FALSE(after.more);
  }
  CHECK(in_memory.body == "abcdefghij"); // a body in memory stays where it is
}

TEST_CASE("read_body of an empty body is one empty part", "[read_body]") {
  auto c = test_conn("GET", "/");
  CHECK(parts_of(c, 1024) == std::vector<std::string>{""});
}

TEST_CASE("a spooled body cannot be read once its request has ended", "[read_body]") {
  auto c = test_conn("POST", "/upload", std::string(100000, 'x'));
  spool_body(c);
  CHECK(read_body(c, 10).data == "xxxxxxxxxx");
  c.spooled_body->close(); // what the connection does when the request ends
  CHECK_THROWS_WITH(read_body(c, 10), Catch::Contains("after its request ended"));
}

TEST_CASE("read_body into one string reuses it for every part", "[read_body]") {
  auto c = test_conn("POST", "/upload", "abcdefghij");
  spool_body(c);
  std::string part;
  CHECK(read_body(c, part, 6));
  CHECK(part == "abcdef");
  auto* storage = part.data();
  CHECK_FALSE(read_body(c, part, 6));
  CHECK(part == "ghij");
  CHECK(part.data() == storage);
}
