// Rendezvous hashing; see rendezvous.hpp.
#include "entities/rendezvous.hpp"

namespace plugnode::runtime::detail {
namespace {

// FNV-1a over the bytes, then a splitmix64 finaliser: FNV alone spreads similar keys ("k1", "k2") poorly
// in the high bits that decide the comparison.
std::uint64_t fnv(std::uint64_t h, const std::string& bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h ^ 0xff; // a separator, so ("ab", "c") and ("a", "bc") differ
}

std::uint64_t mix(std::uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

} // namespace

std::uint64_t rendezvous_weight(const std::string& type, const std::string& key, const std::string& host) {
  return mix(fnv(fnv(fnv(0xcbf29ce484222325ULL, type), key), host));
}

int rendezvous_owner(const std::string& type, const std::string& key, const std::vector<std::string>& hosts) {
  int best = -1;
  std::uint64_t best_weight = 0;
  for (std::size_t i = 0; i < hosts.size(); ++i) {
    auto w = rendezvous_weight(type, key, hosts[i]);
    if (best < 0 || w > best_weight ||
        (w == best_weight && hosts[i] < hosts[static_cast<std::size_t>(best)])) {
      best = static_cast<int>(i);
      best_weight = w;
    }
  }
  return best;
}

} // namespace plugnode::runtime::detail
