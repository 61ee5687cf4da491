#include "plugnode/runtime/handshake.hpp"

#include <catch2/catch.hpp>

using namespace plugnode::runtime;

TEST_CASE("HMAC-SHA256 matches the RFC 4231 test vector", "[handshake]") {
  // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?"
  CHECK(hmac_sha256_hex("Jefe", "what do ya want for nothing?") ==
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST_CASE("challenges are random 32-byte hex strings", "[handshake]") {
  auto a = make_challenge();
  auto b = make_challenge();
  CHECK(a.size() == 64);
  CHECK(a != b);
  CHECK(a.find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK(make_incarnation() != make_incarnation());
}

TEST_CASE("both sides prove the cookie and each checks the other", "[handshake]") {
  auto ci = make_challenge(); // initiator's challenge
  auto cr = make_challenge(); // responder's challenge
  auto responder_proof = handshake_proof("cookie", handshake_role::responder, ci, cr, "b@h2", "a@h1");
  auto initiator_proof = handshake_proof("cookie", handshake_role::initiator, cr, ci, "a@h1", "b@h2");
  // What each side expects, computed from its own cookie:
  CHECK(proofs_equal(responder_proof,
                     handshake_proof("cookie", handshake_role::responder, ci, cr, "b@h2", "a@h1")));
  CHECK(proofs_equal(initiator_proof,
                     handshake_proof("cookie", handshake_role::initiator, cr, ci, "a@h1", "b@h2")));
  SECTION("another cookie fails") {
    CHECK_FALSE(proofs_equal(responder_proof,
                             handshake_proof("other", handshake_role::responder, ci, cr, "b@h2", "a@h1")));
  }
  SECTION("a proof never passes for the other role (no reflection)") {
    CHECK_FALSE(proofs_equal(responder_proof,
                             handshake_proof("cookie", handshake_role::initiator, ci, cr, "b@h2", "a@h1")));
  }
  SECTION("a proof is bound to the challenges and names") {
    CHECK_FALSE(proofs_equal(responder_proof,
                             handshake_proof("cookie", handshake_role::responder, cr, ci, "b@h2", "a@h1")));
    CHECK_FALSE(proofs_equal(responder_proof,
                             handshake_proof("cookie", handshake_role::responder, ci, cr, "x@h2", "a@h1")));
  }
  SECTION("the cookie is nowhere in what crosses the wire") {
    CHECK(responder_proof.find("cookie") == std::string::npos);
    CHECK(responder_proof.size() == 64);
  }
}

TEST_CASE("proof comparison needs equal length and content", "[handshake]") {
  CHECK(proofs_equal("abc", "abc"));
  CHECK_FALSE(proofs_equal("abc", "abd"));
  CHECK_FALSE(proofs_equal("abc", "ab"));
  CHECK_FALSE(proofs_equal("", "a"));
}
