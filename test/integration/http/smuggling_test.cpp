// Request smuggling over raw sockets: each request below hides a second request ("GET /hidden") in what a
// lenient or differently-reading server would take as the end of the first. The endpoint must never answer
// the hidden request: either the framing is unambiguous and the hidden bytes are the first request's body,
// or the request is refused and the connection closed. Keep-alive goes on only in the first case.
#include <catch2/catch.hpp>

#include "plugnode/plugs/router.hpp"
#include "served.hpp"

using namespace plugnode::plugs;
using namespace std::chrono_literals;
using namespace std::string_literals;
using plugnode::test::raw_connection;
using plugnode::test::served;
using plugnode::test::split_responses;
using plugnode::test::status_of;

namespace {

const std::string hidden = "GET /hidden HTTP/1.1\r\nHost: x\r\n\r\n";

router app() {
  router r;
  r.get("/", [](conn& c) { c.send_resp(200, "root"); });
  r.get("/hidden", [](conn& c) { c.send_resp(200, "HIDDEN"); });
  r.route("HEAD", "/", [](conn& c) { c.send_resp(200, "root"); });
  r.route("OPTIONS", "/", [](conn& c) { c.send_resp(200, "options"); });
  r.post("/", [](conn& c) { c.send_resp(200, "body=" + c.body); });
  return r;
}

struct outcome {
  int status = 0;
  bool closed = false;
  std::string bytes;
};

// Sends `request` on a fresh connection and reads what comes back within half a second.
outcome exchange(served& server, const std::string& request) {
  raw_connection client(server.port());
  client.send(request);
  auto r = client.read_responses(2, 500ms);
  return {status_of(r.response), r.closed, r.response};
}

// A refused request: the status, then the connection closes, and the hidden request never runs.
void check_refused(served& server, const std::string& request, int status) {
  INFO(request);
  auto o = exchange(server, request);
  INFO(o.bytes);
  CHECK(o.status == status);
  CHECK(o.closed);
  CHECK(split_responses(o.bytes).size() == 1);
  CHECK(o.bytes.find("HIDDEN") == std::string::npos);
}

// An unambiguous body: one response, the hidden bytes were the body, and the connection serves on.
void check_framed(served& server, const std::string& request, const std::string& expected_body) {
  INFO(request);
  raw_connection client(server.port());
  client.send(request);
  auto first = client.read_responses(1, 1s);
  INFO(first.response);
  REQUIRE(split_responses(first.response).size() == 1);
  CHECK(status_of(first.response) == 200);
  CHECK(first.response.find(expected_body) != std::string::npos);
  client.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  auto next = client.read_responses(1, 1s);
  CHECK(status_of(next.response) == 200);
  CHECK(next.response.find("root") != std::string::npos);
  CHECK(first.response.find("HIDDEN") == std::string::npos);
  CHECK(next.response.find("HIDDEN") == std::string::npos);
}

std::string length_of(const std::string& body) {
  return "Content-Length: " + std::to_string(body.size()) + "\r\n";
}

} // namespace

TEST_CASE("a body is framed and consumed whatever the method", "[smuggling]") {
  served server(app());
  check_framed(server, "GET / HTTP/1.1\r\nHost: x\r\n" + length_of(hidden) + "\r\n" + hidden, "root");
  check_framed(server, "OPTIONS / HTTP/1.1\r\nHost: x\r\n" + length_of(hidden) + "\r\n" + hidden, "options");
  check_framed(server, "POST / HTTP/1.1\r\nHost: x\r\n" + length_of(hidden) + "\r\n" + hidden,
               "body=" + hidden);
  // chunked, with an extension and a trailer: still one request
  check_framed(server,
               "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\n"
               "Trailer-Field: x\r\n\r\n",
               "body=hello");
  // A HEAD with a body: the body is consumed, the answer has no body, the next request is served.
  raw_connection client(server.port());
  client.send("HEAD / HTTP/1.1\r\nHost: x\r\n" + length_of(hidden) + "\r\n" + hidden +
              "GET / HTTP/1.1\r\nHost: x\r\n\r\n");
  auto r = client.read_responses(2, 1s);
  CHECK(r.response.rfind("HTTP/1.1 200", 0) == 0);
  CHECK(r.response.find("HIDDEN") == std::string::npos);
  CHECK(r.response.find("root") != std::string::npos); // the GET's body; the HEAD sent none
}

TEST_CASE("ambiguous framing is refused and the connection closed", "[smuggling]") {
  served server(app());
  auto post = std::string("POST / HTTP/1.1\r\nHost: x\r\n");
  auto chunked_hidden = "0\r\n\r\n" + hidden;
  check_refused(
      server, post + length_of(chunked_hidden) + "Transfer-Encoding: chunked\r\n\r\n" + chunked_hidden, 400);
  check_refused(server,
                post + "Transfer-Encoding: chunked\r\n" + length_of(chunked_hidden) + "\r\n" + chunked_hidden,
                400);
  check_refused(server, post + "Content-Length: 0\r\nContent-Length: 33\r\n\r\n" + hidden, 400);
  check_refused(server, post + "Content-Length: 33\r\nContent-Length: 33\r\n\r\n" + hidden, 400);
  check_refused(server, post + "Content-Length: 0, 33\r\n\r\n" + hidden, 400);
  check_refused(server, post + "Content-Length: +33\r\n\r\n" + hidden, 400);
  check_refused(server, post + "Content-Length: -1\r\n\r\n" + hidden, 400);
  check_refused(server, post + "Content-Length: 0x21\r\n\r\n" + hidden, 400);
  check_refused(server, post + "Content-Length : 33\r\n\r\n" + hidden, 400);
  check_refused(server, post + "Transfer-Encoding: gzip\r\n\r\n" + hidden, 400);
  check_refused(server, post + "Transfer-Encoding: chunked, gzip\r\n\r\n" + chunked_hidden, 400);
  check_refused(server, post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n" + hidden,
                400);
  check_refused(server, post + "Transfer-Encoding: identity\r\n\r\n" + hidden, 400);
  check_refused(server, post + "Transfer-Encoding: xchunked\r\n\r\n" + chunked_hidden, 501);
  check_refused(server, post + "Transfer-Encoding: chunked, chunked\r\n\r\n" + chunked_hidden, 400);
  check_refused(server, post + "Transfer-Encoding:\r\n\r\n" + hidden, 400);
  check_refused(server,
                post +
                    "Transfer-Encoding: \x0b"
                    "chunked\r\n\r\n" +
                    chunked_hidden,
                400);
  check_refused(server, post + " Transfer-Encoding: chunked\r\n\r\n" + chunked_hidden, 400);
  check_refused(server, post + "X: y\r\n Transfer-Encoding: chunked\r\n\r\n" + chunked_hidden, 400);
  check_refused(server, "POST / HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n" + chunked_hidden,
                400);
}

TEST_CASE("a malformed chunked body is refused and the connection closed", "[smuggling]") {
  served server(app());
  auto post = std::string("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
  check_refused(server, post + "zz\r\n" + hidden, 400);
  check_refused(server, post + "-5\r\nhello\r\n0\r\n\r\n" + hidden, 400);
  check_refused(server, post + "FFFFFFFFFFFFFFFFFF\r\n" + hidden, 400);
  check_refused(server, post + "5\r\nhelloXX0\r\n\r\n" + hidden, 400);
  check_refused(server, post + "5\nhello\r\n0\r\n\r\n" + hidden, 400);
  check_refused(server, post + "5 garbage\r\nhello\r\n0\r\n\r\n" + hidden, 400);
  check_refused(server, post + "0\r\nBad Trailer\r\n\r\n" + hidden, 400);
}

TEST_CASE("after a refused head nothing more is parsed", "[smuggling]") {
  served server(app());
  check_refused(server, "GET / HTTP/1.1\nHost: x\n\n" + hidden, 400); // bare LF line ends
  check_refused(server, "GET / HTTP/1.1\r\nHost: x\nX: y\r\n\r\n" + hidden, 400);
  check_refused(server, "GET / HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n" + hidden, 400);
  check_refused(server, "GET / HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n"s + hidden, 400);
  check_refused(server, "GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n" + hidden, 400);
  check_refused(server, "GET / HTTP/1.1\r\n\r\n" + hidden, 400); // no Host in HTTP/1.1
  check_refused(server, "GET  / HTTP/1.1\r\nHost: x\r\n\r\n" + hidden, 400);
  check_refused(server, "GET / HTTP/1.1 \r\nHost: x\r\n\r\n" + hidden, 400);
  check_refused(server, "GET /a#frag HTTP/1.1\r\nHost: x\r\n\r\n" + hidden, 400);
  check_refused(server, "GET / HTTP/1.1\r\nHost: a b\r\n\r\n" + hidden, 400);
  check_refused(server, "GET /" + std::string(20000, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n" + hidden, 414);
  check_refused(server, "GET / HTTP/1.1\r\nHost: x\r\nX: " + std::string(20000, 'a') + "\r\n\r\n" + hidden,
                431);
}

TEST_CASE("absolute-form targets are served, their authority as the host", "[smuggling]") {
  served server([](conn& c) { c.send_resp(200, c.host + " " + c.path); });
  raw_connection client(server.port());
  client.send("GET http://example.test:4000/a/b?x=1 HTTP/1.1\r\nHost: other\r\n\r\n");
  auto r = client.read_responses(1, 1s);
  CHECK(status_of(r.response) == 200);
  CHECK(r.response.find("example.test /a/b") != std::string::npos);
}

TEST_CASE("Expect: 100-continue gets its interim answer, then the response", "[smuggling]") {
  served server(app());
  raw_connection client(server.port());
  client.send("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n");
  auto interim = client.read_responses(1, 1s);
  CHECK(interim.response == "HTTP/1.1 100 Continue\r\n\r\n");
  client.send("hello");
  auto final_answer = client.read_responses(1, 1s);
  CHECK(status_of(final_answer.response) == 200);
  CHECK(final_answer.response.find("body=hello") != std::string::npos);
  auto refused =
      exchange(server, "POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: teapot\r\n\r\nhello");
  CHECK(refused.status == 417);
}
