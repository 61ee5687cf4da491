// handshake: the cookie challenge/response that every new distribution connection runs before anything else.
// Both sides send a random challenge and prove knowledge of the cookie with HMAC-SHA256 over both challenges
// and both node names, with a role label so that a proof made as responder never passes as an initiator's
// (no reflection). The initiator (the dialler) proves first; the responder proves only to a peer whose proof
// checked out, so a party without the cookie gets nothing but a random challenge, nothing to test guesses
// against offline (docs/architecture.md, "Authentication before BASP"). The cookie never crosses the wire.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace plugnode::runtime {

// Which side of a handshake a proof speaks for.
enum class handshake_role { initiator, responder };

// A fresh random challenge from the system's CSPRNG (RAND_bytes), hex-encoded (32 bytes of entropy).
std::string make_challenge();

// HMAC-SHA256 of `data` under `key`, hex-encoded.
std::string hmac_sha256_hex(std::string_view key, std::string_view data);

// The proof `role` sends: an HMAC under the cookie over the peer's challenge (the one it answers), its own
// challenge, its own name and the peer's name.
std::string handshake_proof(std::string_view cookie, handshake_role role, std::string_view peer_challenge,
                            std::string_view own_challenge, std::string_view own_name,
                            std::string_view peer_name);

// Compares two proofs in constant time (CRYPTO_memcmp); different lengths never match.
bool proofs_equal(std::string_view a, std::string_view b);

// A random number that tells two starts of the same node apart (Erlang's "creation"): CAF's node id can
// repeat when a container restarts in the same pod, this cannot (in any practical sense).
std::uint64_t make_incarnation();

} // namespace plugnode::runtime
