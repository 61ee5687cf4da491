// Fuzzes request framing: the same bytes, fed whole and fed in pieces of any size (the first byte picks
// it), must give the same requests in the same order, then the same refusal or the same wait for more.
// A difference means a connection's meaning depends on how TCP cut its bytes.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <vector>

#include "plugnode/plugs/request_parser.hpp"

namespace {

using plugnode::plugs::request_parser;

// Every complete request as "method target body", then how the stream ended.
std::vector<std::string> frame(const std::string& bytes, std::size_t step) {
  request_parser parser;
  std::vector<std::string> seen;
  std::string buffer;
  std::size_t at = 0;
  while (true) {
    std::size_t consumed = 0;
    auto outcome = parser.feed(buffer, consumed);
    buffer.erase(0, consumed);
    if (outcome == request_parser::outcome::complete) {
      auto& r = parser.request();
      seen.push_back(r.method + " " + r.target + " " + r.host + " " + r.body + (r.keep_alive ? " k" : " c"));
      parser.reset();
      continue;
    }
    if (outcome == request_parser::outcome::refused) {
      seen.push_back("refused " + std::to_string(parser.error().status));
      return seen;
    }
    if (at >= bytes.size()) {
      seen.push_back(parser.started() || !buffer.empty() ? "incomplete" : "end");
      return seen;
    }
    buffer += bytes.substr(at, step);
    at += step;
  }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0)
    return 0;
  std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  auto whole = frame(bytes, bytes.size() + 1);
  auto pieces = frame(bytes, 1 + data[0] % 16);
  if (whole != pieces)
    std::abort();
  return 0;
}
