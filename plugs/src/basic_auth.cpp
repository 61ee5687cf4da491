// Basic authentication: decoding the Authorization header and the constant-time comparison; see
// basic_auth.hpp.
#include "plugnode/plugs/basic_auth.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include <stdexcept>

#include "plugnode/plugs/local_reply.hpp"

namespace plugnode::plugs {

basic_auth::basic_auth(basic_auth_options options) : options_(std::move(options)) {
  if (options_.realm.find_first_of("\"\r\n") != std::string::npos)
    throw std::invalid_argument("basic_auth realm may not contain quotes, CR or LF");
}

// Hashing both sides first makes the compared lengths equal, so the length does not leak either.
bool secure_equal(const std::string& a, const std::string& b) {
  unsigned char da[SHA256_DIGEST_LENGTH];
  unsigned char db[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), da);
  SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), db);
  return CRYPTO_memcmp(da, db, sizeof da) == 0;
}

std::optional<std::pair<std::string, std::string>> parse_basic_auth(const conn& c) {
  auto header = c.get_req_header("authorization");
  constexpr std::string_view scheme = "basic ";
  if (!header || header->size() <= scheme.size() || lower_case(header->substr(0, scheme.size())) != scheme ||
      header->size() > 4096)
    return std::nullopt;
  std::string encoded = header->substr(scheme.size());
  if (encoded.size() % 4 != 0)
    return std::nullopt;
  std::string decoded(encoded.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(decoded.data()),
                          reinterpret_cast<const unsigned char*>(encoded.data()),
                          static_cast<int>(encoded.size()));
  if (n < 0)
    return std::nullopt;
  // EVP_DecodeBlock counts the padding as zero bytes.
  auto padding = encoded.size() - encoded.find_last_not_of('=') - 1;
  decoded.resize(static_cast<std::size_t>(n) - padding);
  auto colon = decoded.find(':');
  if (colon == std::string::npos)
    return std::nullopt;
  return std::pair{decoded.substr(0, colon), decoded.substr(colon + 1)};
}

void basic_auth::call(conn& c) const {
  auto credentials = parse_basic_auth(c);
  // Both compared every time: no early exit that would tell a right user name from a wrong one.
  bool user_ok = credentials && secure_equal(credentials->first, options_.username);
  bool password_ok = credentials && secure_equal(credentials->second, options_.password);
  if (user_ok && password_ok)
    return;
  c.put_resp_header("www-authenticate", "Basic realm=\"" + options_.realm + "\"");
  local_reply(c, 401);
}

} // namespace plugnode::plugs
