// The byte-level cookie handshake as a state machine: two ends fed each other's bytes, never more than
// they ask for; and the order that makes it no cookie oracle.
#include "dist/wire_handshake.hpp"

#include <catch2/catch.hpp>

using plugnode::runtime::detail::wire_handshake;
using state = wire_handshake::state;

namespace {

// Moves bytes between the two ends, as the sockets would, until neither has anything to say.
void converse(wire_handshake& a, wire_handshake& b) {
  std::string a_to_b, b_to_a;
  for (int round = 0; round < 32; ++round) {
    a_to_b += a.take_output();
    b_to_a += b.take_output();
    bool moved = false;
    for (auto [from, to] : {std::pair{&a_to_b, &b}, std::pair{&b_to_a, &a}}) {
      auto n = std::min(from->size(), to->wanted());
      if (n > 0) {
        to->feed(std::string_view(*from).substr(0, n));
        from->erase(0, n);
        moved = true;
      }
    }
    if (!moved && a_to_b.empty() && b_to_a.empty())
      return;
  }
}

std::string frame(const std::string& body) {
  return std::string{static_cast<char>(body.size() >> 8), static_cast<char>(body.size() & 0xff)} + body;
}

} // namespace

TEST_CASE("both ends with one cookie authenticate and know each other's name", "[wire_handshake]") {
  auto a = wire_handshake::initiator("secret", "a@127.0.0.2");
  auto b = wire_handshake::responder("secret", "b@127.0.0.3");
  converse(a, b);
  CHECK(a.current() == state::authenticated);
  CHECK(b.current() == state::authenticated);
  CHECK(a.peer_name() == "b@127.0.0.3");
  CHECK(b.peer_name() == "a@127.0.0.2");
  CHECK(a.wanted() == 0);
  CHECK(b.wanted() == 0);
  CHECK(a.take_output().empty());
  CHECK(b.take_output().empty());
}

TEST_CASE("different cookies: the responder refuses the initiator's proof, and never proves itself",
          "[wire_handshake]") {
  auto a = wire_handshake::initiator("secret", "a@127.0.0.2");
  auto b = wire_handshake::responder("other", "b@127.0.0.3");
  converse(a, b);
  CHECK(b.current() == state::refused);
  CHECK(b.wrong_proof());
  CHECK(b.reason() == "refused node a@127.0.0.2: wrong cookie proof");
  CHECK(b.take_output().empty());
  CHECK(a.current() == state::running); // it waits for an answer that never comes, then the close
  a.closed();
  CHECK(a.current() == state::refused);
  CHECK_FALSE(a.wrong_proof());
  CHECK(a.reason() == "node b@127.0.0.3 refused this node's cookie proof (wrong cookie?)");
}

TEST_CASE("the dialler proves first: the responder's only frame before that proof is a random challenge",
          "[wire_handshake]") {
  // Two responders with different cookies answer the same hello: frames of one shape, the cookie in neither.
  std::vector<std::string> challenges;
  for (const char* cookie : {"secret", "another secret"}) {
    auto b = wire_handshake::responder(cookie, "b@127.0.0.3");
    CHECK(b.take_output().empty()); // the responder speaks only after a hello
    auto hello = frame("plugnode-dist-2\nhello\nevil@127.0.0.9");
    b.feed(std::string_view(hello).substr(0, b.wanted()));
    b.feed(std::string_view(hello).substr(2, b.wanted()));
    CHECK(b.current() == state::running);
    auto out = b.take_output();
    REQUIRE(out.size() > 2);
    auto body = out.substr(2);
    auto prefix = std::string("plugnode-dist-2\nchallenge\nb@127.0.0.3\n");
    REQUIRE(body.substr(0, prefix.size()) == prefix);
    auto challenge = body.substr(prefix.size());
    CHECK(challenge.size() == 64);
    CHECK(challenge.find_first_not_of("0123456789abcdef") == std::string::npos);
    challenges.push_back(challenge);
    // A proof made without the cookie is refused, and nothing follows.
    auto proof = frame("plugnode-dist-2\nproof\n" + std::string(64, 'a') + "\n" + std::string(64, '0'));
    b.feed(std::string_view(proof).substr(0, 2));
    b.feed(std::string_view(proof).substr(2));
    CHECK(b.current() == state::refused);
    CHECK(b.wrong_proof());
    CHECK(b.reason() == "refused node evil@127.0.0.9: wrong cookie proof");
    CHECK(b.take_output().empty());
  }
  CHECK(challenges[0] != challenges[1]); // fresh for every connection
}

TEST_CASE("the responder's proof comes only in answer to a good one, and the initiator checks it",
          "[wire_handshake]") {
  auto a = wire_handshake::initiator("secret", "a@127.0.0.2");
  auto b = wire_handshake::responder("secret", "b@127.0.0.3");
  auto pass = [](const std::string& bytes, wire_handshake& to) {
    to.feed(std::string_view(bytes).substr(0, 2));
    to.feed(std::string_view(bytes).substr(2));
  };
  auto hello = a.take_output();
  CHECK_THAT(hello, Catch::EndsWith("plugnode-dist-2\nhello\na@127.0.0.2"));
  pass(hello, b);
  pass(b.take_output(), a);
  auto proof = a.take_output();
  CHECK_THAT(proof, Catch::Contains("plugnode-dist-2\nproof\n"));
  CHECK(a.current() == state::running);
  pass(proof, b);
  CHECK(b.current() == state::authenticated);
  auto ok = b.take_output();
  CHECK_THAT(ok, Catch::Contains("plugnode-dist-2\nok\n"));
  SECTION("a good proof authenticates the responder") {
    pass(ok, a);
    CHECK(a.current() == state::authenticated);
  }
  SECTION("a forged one does not") {
    pass(frame("plugnode-dist-2\nok\n" + std::string(64, '0')), a);
    CHECK(a.current() == state::refused);
    CHECK(a.reason() == "refused node b@127.0.0.3: its cookie proof is wrong (different cookie?)");
  }
}

TEST_CASE("no reflection: a peer in this node's own name is refused on either side", "[wire_handshake]") {
  auto b = wire_handshake::responder("secret", "b@127.0.0.3");
  auto hello = frame("plugnode-dist-2\nhello\nb@127.0.0.3");
  b.feed(std::string_view(hello).substr(0, 2));
  b.feed(std::string_view(hello).substr(2));
  CHECK(b.current() == state::refused);
  CHECK(b.reason() == "refused a handshake from a peer that calls itself this node");
  CHECK(b.take_output().empty());
  auto a = wire_handshake::initiator("secret", "a@127.0.0.2");
  (void)a.take_output();
  auto challenge = frame("plugnode-dist-2\nchallenge\na@127.0.0.2\n" + std::string(64, 'c'));
  a.feed(std::string_view(challenge).substr(0, 2));
  a.feed(std::string_view(challenge).substr(2));
  CHECK(a.current() == state::refused);
  CHECK(a.take_output().empty()); // no proof for a reflected challenge
}

TEST_CASE("bytes that are not the handshake are refused at the first frame header", "[wire_handshake]") {
  SECTION("a BASP header (length 0)") {
    auto b = wire_handshake::responder("secret", "b@127.0.0.3");
    b.feed(std::string("\0\0", 2));
    CHECK(b.current() == state::refused);
  }
  SECTION("an over-long frame") {
    auto b = wire_handshake::responder("secret", "b@127.0.0.3");
    b.feed("\xff\xff");
    CHECK(b.current() == state::refused);
  }
  SECTION("a frame of another protocol") {
    auto b = wire_handshake::responder("secret", "b@127.0.0.3");
    auto text = frame("GET / HTTP/1.1");
    b.feed(std::string_view(text).substr(0, 2));
    b.feed(std::string_view(text).substr(2));
    CHECK(b.current() == state::refused);
    CHECK(b.reason() == "refused a connection that does not speak the plugnode handshake");
  }
  SECTION("more bytes than asked for") {
    auto b = wire_handshake::responder("secret", "b@127.0.0.3");
    b.feed("abc");
    CHECK(b.current() == state::refused);
  }
}
