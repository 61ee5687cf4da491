// body_spool: which bodies go to a file, what they hold of memory and of the disk budget meanwhile, and that
// the request's end closes the file and gives the disk back. The parser is fed as a connection feeds it.
#include "body_spool.hpp"

#include <catch2/catch.hpp>

#include "plugnode/plugs/read_body.hpp"
#include "plugnode/plugs/testing.hpp"

using namespace plugnode::plugs;

namespace {

struct disk_gauges {
  std::atomic<std::int64_t> now{0}, peak{0};
  std::atomic<std::uint64_t> full{0};
};

// Feeds `bytes` as a connection does, a read of at most 64 KB a turn, keeping the body after each feed.
// Returns the last outcome and the first refusal of the spool.
struct fed {
  request_parser::outcome outcome = request_parser::outcome::need_more;
  std::optional<request_error> refusal;
  std::size_t memory_freed = 0;
};

fed feed(request_parser& p, body_spool& spool, spool_disk& disk, const std::string& bytes, std::size_t held,
         const std::string& from = "127.0.0.1") {
  fed result;
  std::string in;
  for (std::size_t at = 0; at < bytes.size() || !in.empty();) {
    auto take = std::min<std::size_t>(64 * 1024 - in.size(), bytes.size() - at);
    in.append(bytes, at, take);
    at += take;
    std::size_t consumed = 0;
    result.outcome = p.feed(in, consumed);
    in.erase(0, consumed);
    auto step = spool.keep(p, disk, held, from);
    result.memory_freed += step.memory_freed;
    held -= step.memory_freed;
    if (step.refusal) {
      result.refusal = step.refusal;
      return result;
    }
    if (result.outcome != request_parser::outcome::need_more || (take == 0 && consumed == 0))
      return result;
  }
  return result;
}

std::string head(std::size_t length) {
  return "POST /up HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
}

} // namespace

TEST_CASE("a body past the threshold is spooled from its first byte and read back whole", "[body_spool]") {
  disk_gauges g;
  spool_disk disk({100 * 1024, {}, 1 << 20}, g.now, g.peak, g.full);
  request_parser p;
  body_spool spool;
  std::string body(300 * 1024, 'b');
  auto done = feed(p, spool, disk, head(body.size()) + body, 0);
  REQUIRE(done.outcome == request_parser::outcome::complete);
  CHECK(p.request().body.empty());
  REQUIRE(p.request().spooled);
  CHECK(g.now == static_cast<std::int64_t>(body.size())); // its Content-Length, reserved at once
  conn c = test_conn("POST", "/up");
  c.spooled_body = p.request().spooled;
  CHECK(read_body(c, body.size()).data == body);
  spool.end(disk);
  CHECK(g.now == 0);
  CHECK(g.peak == static_cast<std::int64_t>(body.size()));
  CHECK_THROWS(read_body(c, 1)); // closed with the request
}

TEST_CASE("a body up to the threshold stays in memory", "[body_spool]") {
  disk_gauges g;
  spool_disk disk({100 * 1024, {}, 1 << 20}, g.now, g.peak, g.full);
  request_parser p;
  body_spool spool;
  std::string body(100 * 1024, 'm');
  CHECK(feed(p, spool, disk, head(body.size()) + body, 0).outcome == request_parser::outcome::complete);
  CHECK(p.request().body == body);
  CHECK_FALSE(p.request().spooled);
  CHECK(spool.memory_needed(p) == body.size());
  CHECK(g.peak == 0);
}

TEST_CASE("a chunked body goes to the file once its chunks pass the threshold, and gives back the memory it "
          "held",
          "[body_spool]") {
  disk_gauges g;
  spool_disk disk({100 * 1024, {}, 1 << 20}, g.now, g.peak, g.full);
  request_parser p;
  body_spool spool;
  std::string framed = "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n";
  std::string body;
  for (char c = 'a'; c < 'a' + 5; ++c) {
    framed += "c800\r\n" + std::string(0xc800, c) + "\r\n"; // 50 KB chunks
    body += std::string(0xc800, c);
  }
  framed += "0\r\n\r\n";
  // As if it had been granted 256 KB of the body buffer while it grew in memory.
  auto done = feed(p, spool, disk, framed, 256 * 1024);
  REQUIRE(done.outcome == request_parser::outcome::complete);
  CHECK(done.memory_freed == 256 * 1024 - body_spool::buffer);
  CHECK(spool.memory_needed(p) == body_spool::buffer);
  REQUIRE(p.request().spooled);
  CHECK(p.request().spooled->read(0, body.size()) == body);
  CHECK(g.peak <= static_cast<std::int64_t>(body.size()));
  spool.end(disk);
  CHECK(g.now == 0);
}

TEST_CASE(
    "a body that finds no room on disk stays in memory, and a spooled body that cannot grow there gets 503",
    "[body_spool]") {
  disk_gauges g;
  spool_disk disk({1024, {}, 100 * 1024}, g.now, g.peak, g.full);
  auto began = spool_disk::clock::now().time_since_epoch().count();
  // Larger than the whole disk budget: in memory, under the body buffer like a small body.
  request_parser too_large;
  body_spool in_memory;
  auto fed = feed(too_large, in_memory, disk, head(200 * 1024) + "start", 0);
  CHECK_FALSE(fed.refusal);
  CHECK_FALSE(too_large.request().spooled);
  CHECK(in_memory.memory_needed(too_large) == 200 * 1024);
  CHECK(g.full == 1);

  request_parser holder, second;
  body_spool holding, waiting;
  CHECK_FALSE(feed(holder, holding, disk, head(60 * 1024) + "start", 0, "127.0.0.2").refusal);
  CHECK(holder.request().spooled);
  CHECK_FALSE(feed(second, waiting, disk, head(60 * 1024) + "start", 0, "127.0.0.3").refusal);
  CHECK_FALSE(second.request().spooled); // no room: in memory
  CHECK(g.full == 2);
  CHECK(disk.full_since(began));

  // A chunked body spooled at its first chunk, then its second does not fit beside the holder's: 503.
  request_parser chunked;
  body_spool growing;
  std::string chunk = "7800\r\n" + std::string(0x7800, 'c') + "\r\n"; // 30 KB
  auto framed = "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk;
  CHECK_FALSE(feed(chunked, growing, disk, framed, 0, "127.0.0.4").refusal);
  CHECK(chunked.request().spooled);
  CHECK(g.now == 90 * 1024);
  auto refused = feed(chunked, growing, disk, chunk, 0, "127.0.0.4").refusal;
  REQUIRE(refused);
  CHECK(refused->status == 503);

  // The holder's end makes room: the next body is spooled again.
  holding.end(disk);
  growing.end(disk);
  CHECK(g.now == 0);
  request_parser third;
  body_spool after;
  CHECK_FALSE(feed(third, after, disk, head(60 * 1024) + "start", 0, "127.0.0.5").refusal);
  CHECK(third.request().spooled);
  after.end(disk);
  CHECK(g.now == 0);
}

TEST_CASE("one address holds at most a quarter of the spool disk, beyond one body of its own, and others "
          "spool meanwhile",
          "[body_spool]") {
  disk_gauges g;
  spool_disk disk({1024, {}, 1024 * 1024}, g.now, g.peak, g.full); // a share of 256 KB
  auto began = spool_disk::clock::now().time_since_epoch().count();
  // An address holding nothing may spool one body larger than its share...
  request_parser large;
  body_spool first;
  CHECK_FALSE(feed(large, first, disk, head(300 * 1024) + "start", 0, "127.0.0.1").refusal);
  CHECK(large.request().spooled);
  // ...but its next body stays in memory (the body buffer bounds it), and the disk does not count as full.
  request_parser small;
  body_spool second;
  CHECK_FALSE(feed(small, second, disk, head(10 * 1024) + "start", 0, "127.0.0.1").refusal);
  CHECK_FALSE(small.request().spooled);
  CHECK(g.full == 0);
  CHECK_FALSE(disk.full_since(began));
  // Another address spools at once.
  request_parser other;
  body_spool third;
  CHECK_FALSE(feed(other, third, disk, head(300 * 1024) + "start", 0, "127.0.0.2").refusal);
  CHECK(other.request().spooled);
  CHECK(disk.held_by("127.0.0.1") == 300 * 1024);

  // A spooled chunked body of an address that holds another body cannot grow past the share: 503.
  request_parser chunked, beside;
  body_spool growing, held;
  std::string chunk = "7800\r\n" + std::string(0x7800, 'c') + "\r\n"; // 30 KB
  auto framed = "POST /up HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunk;
  CHECK_FALSE(feed(chunked, growing, disk, framed, 0, "127.0.0.3").refusal);
  CHECK(chunked.request().spooled);
  CHECK_FALSE(feed(beside, held, disk, head(200 * 1024) + "start", 0, "127.0.0.3").refusal);
  CHECK(beside.request().spooled);
  auto refused = feed(chunked, growing, disk, chunk + chunk, 0, "127.0.0.3").refusal;
  REQUIRE(refused);
  CHECK(refused->status == 503);
  CHECK_THAT(refused->reason, Catch::Contains("share"));

  for (auto* spool : {&first, &second, &third, &growing, &held})
    spool->end(disk);
  CHECK(g.now == 0);
  CHECK(disk.held_by("127.0.0.1") == 0);
}

TEST_CASE("a spool directory that cannot hold files stops the start, naming it", "[body_spool]") {
  disk_gauges g;
  spool_disk disk({1024, "/no/such/directory", 1 << 20}, g.now, g.peak, g.full);
  CHECK_THROWS_WITH(disk.check(), Catch::Contains("/no/such/directory"));
}
