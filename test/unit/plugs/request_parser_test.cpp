// request_parser: one request at a time out of a byte stream, the same however the bytes are cut.
#include <catch2/catch.hpp>

#include "plugnode/plugs/request_parser.hpp"

using namespace plugnode::plugs;
using outcome = request_parser::outcome;

namespace {

// Feeds `bytes` in pieces of `step` as a connection would (keeping what was not consumed) and returns the
// outcome of the last feed and what is left unconsumed.
std::pair<outcome, std::string> feed_in_pieces(request_parser& parser, const std::string& bytes,
                                               std::size_t step) {
  std::string buffer;
  auto result = outcome::need_more;
  std::size_t at = 0;
  for (; at < bytes.size() && result == outcome::need_more; at += step) {
    buffer += bytes.substr(at, step);
    std::size_t consumed = 0;
    result = parser.feed(buffer, consumed);
    buffer.erase(0, consumed);
  }
  return {result, buffer + (at < bytes.size() ? bytes.substr(at) : "")};
}

} // namespace

TEST_CASE("a request parses the same whole or byte by byte", "[request_parser]") {
  std::string bytes = "POST /a?b=1 HTTP/1.1\r\nHost: example.test:4000\r\nX-Thing:  spaced  \r\n"
                      "Content-Length: 5\r\n\r\nhelloGET /next HTTP/1.1\r\n";
  for (std::size_t step : {bytes.size(), std::size_t{1}, std::size_t{7}}) {
    request_parser parser;
    auto [result, rest] = feed_in_pieces(parser, bytes, step);
    REQUIRE(result == outcome::complete);
    auto& r = parser.request();
    CHECK(r.method == "POST");
    CHECK(r.target == "/a?b=1");
    CHECK(r.host == "example.test:4000");
    CHECK(r.fields.find("x-thing")->second == "spaced");
    CHECK(r.body == "hello");
    CHECK(r.keep_alive);
    CHECK(rest.rfind("GET /next", 0) == 0); // the next request stays for the next parse
  }
}

TEST_CASE("a chunked body is decoded, extensions and trailers skipped", "[request_parser]") {
  std::string bytes = "PUT / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n"
                      "5;name=value\r\nhello\r\n6\r\n world\r\n0\r\nChecksum: abc\r\n\r\n";
  for (std::size_t step : {bytes.size(), std::size_t{1}, std::size_t{3}}) {
    request_parser parser;
    auto [result, rest] = feed_in_pieces(parser, bytes, step);
    REQUIRE(result == outcome::complete);
    CHECK(parser.request().body == "hello world");
    CHECK(rest.empty());
  }
}

TEST_CASE("limits answer with the status RFC 9110 gives them", "[request_parser]") {
  request_limits limits;
  limits.max_body = 10;
  limits.max_head_bytes = 200;
  limits.max_headers = 3;
  auto refused_with = [&](const std::string& bytes) {
    request_parser parser(limits);
    auto [result, rest] = feed_in_pieces(parser, bytes, bytes.size());
    return result == outcome::refused ? parser.error().status : 0;
  };
  CHECK(refused_with("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n") == 413);
  CHECK(refused_with(
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n8\r\n12345678\r\n8\r\n") == 413);
  CHECK(refused_with("GET /" + std::string(300, 'a')) == 414);
  CHECK(refused_with("GET / HTTP/1.1\r\nHost: x\r\nA: " + std::string(300, 'a')) == 431);
  CHECK(refused_with("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\nC: 3\r\n\r\n") == 431);
  CHECK(refused_with("GET / HTTP/1.1\r\nHost: x\r\nA: 1\r\nB: 2\r\n\r\n") == 0);
}

TEST_CASE("HTTP/1.0 closes unless it asks for keep-alive, 1.1 keeps unless it asks to close",
          "[request_parser]") {
  auto keep = [](const std::string& bytes) {
    request_parser parser;
    std::size_t consumed = 0;
    REQUIRE(parser.feed(bytes, consumed) == outcome::complete);
    return parser.request().keep_alive;
  };
  CHECK_FALSE(keep("GET / HTTP/1.0\r\n\r\n"));
  CHECK(keep("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n"));
  CHECK(keep("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
  CHECK_FALSE(keep("GET / HTTP/1.1\r\nHost: x\r\nConnection: foo, close\r\n\r\n"));
}

TEST_CASE("empty elements of a Connection list are skipped, not the end of it (RFC 9110 5.6.1)",
          "[request_parser]") {
  auto keep = [](const std::string& connection, const char* version = "1.1") {
    request_parser parser;
    std::size_t consumed = 0;
    auto bytes =
        std::string("GET / HTTP/") + version + "\r\nHost: x\r\nConnection: " + connection + "\r\n\r\n";
    REQUIRE(parser.feed(bytes, consumed) == outcome::complete);
    return parser.request().keep_alive;
  };
  CHECK_FALSE(keep(", close"));
  CHECK_FALSE(keep("keep-alive, ,close"));
  CHECK_FALSE(keep(",,, close ,"));
  CHECK(keep(", ,"));
  CHECK(keep(" , keep-alive", "1.0"));
}

TEST_CASE("an empty element in Transfer-Encoding is still refused: the framing allows no second reading",
          "[request_parser]") {
  request_parser parser;
  std::size_t consumed = 0;
  CHECK(parser.feed("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: , chunked\r\n\r\n", consumed) ==
        outcome::refused);
  CHECK(parser.error().status == 400);
}

TEST_CASE("empty lines before a request are skipped, a trickled head is scanned once", "[request_parser]") {
  request_parser parser;
  std::string buffer = "\r\n\r\nGET / HTTP/1.1\r\n";
  std::size_t consumed = 0;
  CHECK(parser.feed(buffer, consumed) == outcome::need_more);
  CHECK(consumed == 4);
  CHECK_FALSE(parser.in_body());
  buffer.erase(0, consumed);
  buffer += "Host: x\r\n\r\n";
  CHECK(parser.feed(buffer, consumed) == outcome::complete);
  CHECK(parser.request().target == "/");
}

TEST_CASE("an empty line whose CR and LF arrive apart is still skipped (found by fuzzing)",
          "[request_parser]") {
  request_parser parser;
  std::string buffer = "\r";
  std::size_t consumed = 0;
  CHECK(parser.feed(buffer, consumed) == outcome::need_more);
  CHECK_FALSE(parser.started());
  buffer += "\nGET / HTTP/1.1\r\nHost: x\r\n\r\n";
  CHECK(parser.feed(buffer, consumed) == outcome::complete);
  CHECK(parser.request().target == "/");
}

TEST_CASE("a body stops at its allowance and goes on once more is allowed", "[request_parser]") {
  request_limits limits;
  limits.body_allowance = 4;
  request_parser parser(limits);
  std::string buffer = "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n0123456789";
  std::size_t consumed = 0;
  CHECK(parser.feed(buffer, consumed) == outcome::need_more);
  buffer.erase(0, consumed);
  CHECK(buffer == "456789"); // left for later, not buffered in the request
  CHECK(parser.body_received() == 4);
  CHECK(parser.body_needed() == 10);
  parser.allow_body(10);
  CHECK(parser.feed(buffer, consumed) == outcome::complete);
  CHECK(parser.request().body == "0123456789");
  parser.reset();
  CHECK(parser.body_needed() == 0);
}

TEST_CASE("a chunked body needs what its chunks so far announced", "[request_parser]") {
  request_limits limits;
  limits.body_allowance = 0;
  request_parser parser(limits);
  std::string buffer = "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n";
  std::size_t consumed = 0;
  CHECK(parser.feed(buffer, consumed) == outcome::need_more);
  buffer.erase(0, consumed);
  CHECK(parser.body_needed() == 5);
  parser.allow_body(5);
  buffer += "3\r\nabc\r\n0\r\n\r\n";
  CHECK(parser.feed(buffer, consumed) == outcome::need_more);
  buffer.erase(0, consumed);
  CHECK(parser.body_needed() == 8);
  parser.allow_body(8);
  CHECK(parser.feed(buffer, consumed) == outcome::complete);
  CHECK(parser.request().body == "helloabc");
}

TEST_CASE("reset lets go of the body's memory: a parser does not keep its largest body", "[request_parser]") {
  request_parser parser;
  std::string bytes =
      "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n" + std::string(1000000, 'b');
  std::size_t consumed = 0;
  REQUIRE(parser.feed(bytes, consumed) == outcome::complete);
  CHECK(parser.request().body.capacity() >= 1000000);
  parser.reset();
  CHECK(parser.request().body.capacity() < 1000);
}
