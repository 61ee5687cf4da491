// HMAC-SHA256 challenge/response with libcrypto; see handshake.hpp for the protocol.
#include "plugnode/runtime/handshake.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <array>
#include <stdexcept>

namespace plugnode::runtime {
namespace {

std::string to_hex(const unsigned char* data, std::size_t size) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(digits[data[i] >> 4]);
    out.push_back(digits[data[i] & 0x0f]);
  }
  return out;
}

template <std::size_t N> std::array<unsigned char, N> random_bytes() {
  std::array<unsigned char, N> bytes{};
  // Failing to get randomness must never degrade into a predictable challenge.
  if (RAND_bytes(bytes.data(), static_cast<int>(bytes.size())) != 1)
    throw std::runtime_error("RAND_bytes failed: no secure randomness available");
  return bytes;
}

} // namespace

std::string make_challenge() {
  auto bytes = random_bytes<32>();
  return to_hex(bytes.data(), bytes.size());
}

std::string hmac_sha256_hex(std::string_view key, std::string_view data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int size = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
       reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data(), &size);
  return to_hex(digest.data(), size);
}

std::string handshake_proof(std::string_view cookie, handshake_role role, std::string_view peer_challenge,
                            std::string_view own_challenge, std::string_view own_name,
                            std::string_view peer_name) {
  std::string data =
      role == handshake_role::initiator ? "plugnode-dist-2 initiator" : "plugnode-dist-2 responder";
  for (auto part : {peer_challenge, own_challenge, own_name, peer_name}) {
    // Length-prefixed fields: no two different field lists concatenate to the same bytes.
    data += '|';
    data += std::to_string(part.size());
    data += ':';
    data.append(part);
  }
  return hmac_sha256_hex(cookie, data);
}

bool proofs_equal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::uint64_t make_incarnation() {
  auto bytes = random_bytes<8>();
  std::uint64_t value = 0;
  for (auto b : bytes)
    value = (value << 8) | b;
  return value;
}

} // namespace plugnode::runtime
