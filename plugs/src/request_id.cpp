// Keeping a sane incoming x-request-id or making a fresh one; see request_id.hpp.
#include "plugnode/plugs/request_id.hpp"

#include <cctype>
#include <cstdint>
#include <random>

namespace plugnode::plugs {
namespace {

const std::string id_key = "plugnode.request_id";

// 128 random bits as 32 hex digits; one generator per thread, so no lock between workers.
std::string generate_id() {
  thread_local std::mt19937_64 random{std::random_device{}()};
  static constexpr char digits[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    auto bits = random();
    for (int i = 0; i < 16; ++i, bits >>= 4)
      id[static_cast<std::size_t>(half) * 16 + static_cast<std::size_t>(i)] = digits[bits & 0xf];
  }
  return id;
}

} // namespace

bool valid_request_id(const std::string& id) {
  if (id.size() < 20 || id.size() > 200)
    return false;
  for (unsigned char ch : id)
    if (!std::isalnum(ch) && ch != '+' && ch != '/' && ch != '=' && ch != '_' && ch != '-')
      return false;
  return true;
}

void request_id::call(conn& c) const {
  auto incoming = c.get_req_header(header_);
  std::string id = incoming && valid_request_id(*incoming) ? std::move(*incoming) : generate_id();
  c.put_resp_header(header_, id);
  c.private_[id_key] = std::move(id);
}

const std::string& request_id_of(const conn& c) {
  static const std::string none = "-";
  auto it = c.private_.find(id_key);
  return it == c.private_.end() ? none : *std::any_cast<std::string>(&it->second);
}

} // namespace plugnode::plugs
