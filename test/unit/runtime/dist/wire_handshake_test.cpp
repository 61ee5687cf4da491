// The byte-level cookie handshake as a state machine: two ends fed each other's bytes, never more than
// they ask for.
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

TEST_CASE("different cookies are refused by the initiator, which never sends a proof", "[wire_handshake]") {
  auto a = wire_handshake::initiator("secret", "a@127.0.0.2");
  auto b = wire_handshake::responder("other", "b@127.0.0.3");
  converse(a, b);
  CHECK(a.current() == state::refused);
  CHECK(a.reason() == "refused node b@127.0.0.3: its cookie proof is wrong (different cookie?)");
  CHECK(b.current() == state::running);
  b.closed();
  CHECK(b.current() == state::refused);
  CHECK(b.reason() == "node a@127.0.0.2 closed the connection before authenticating (wrong cookie?)");
}

TEST_CASE("an initiator without the cookie gets the challenge and nothing more", "[wire_handshake]") {
  auto b = wire_handshake::responder("secret", "b@127.0.0.3");
  CHECK(b.take_output().empty()); // the responder speaks only after a hello
  auto hello = frame("plugnode-dist-1\nhello\nevil@127.0.0.9\n00");
  b.feed(std::string_view(hello).substr(0, b.wanted()));
  b.feed(std::string_view(hello).substr(2, b.wanted()));
  CHECK(b.current() == state::running);
  CHECK_THAT(b.take_output(), Catch::Contains("plugnode-dist-1\nchallenge\nb@127.0.0.3\n"));
  auto proof = frame("plugnode-dist-1\nproof\n" + std::string(64, '0'));
  b.feed(std::string_view(proof).substr(0, 2));
  b.feed(std::string_view(proof).substr(2));
  CHECK(b.current() == state::refused);
  CHECK(b.reason() == "refused node evil@127.0.0.9: wrong cookie proof");
  CHECK(b.take_output().empty());
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
