// Fuzzes percent-decoding, path splitting, query parsing and routing with any request target: the first
// byte picks the method, the rest is the target. Routing answers every request exactly once (a route's
// response, or the router's own 404/405) and never throws.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "plugnode/plugs/conn.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/plugs/uri.hpp"

namespace {

const plugnode::plugs::router& routes() {
  using plugnode::plugs::conn;
  static const auto r = [] {
    plugnode::plugs::router r;
    r.get("/", [](conn& c) { c.resp(200, "root"); });
    r.get("/hello/:name", [](conn& c) { c.resp(200, c.path_params.at("name")); });
    r.post("/items/:id/parts/:part", [](conn& c) { c.resp(201, c.path_params.at("part")); });
    r.get("/static/*path", [](conn& c) { c.resp(200, c.path_params.at("path")); });
    plugnode::plugs::router inner;
    inner.get("/x/:y", [](conn& c) { c.resp(200, c.path_params.at("y")); });
    r.forward("/api", std::move(inner));
    return r;
  }();
  return r;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace plugnode::plugs;
  if (size == 0)
    return 0;
  static const char* methods[] = {"GET", "POST", "HEAD", "DELETE", "PUT", "OPTIONS"};
  std::string_view target(reinterpret_cast<const char*>(data) + 1, size - 1);
  (void)percent_decode(target);
  (void)percent_decode(target, true);
  auto question = target.find('?');
  bool valid = split_path(target.substr(0, question)) &&
               (question == std::string_view::npos || parse_query(target.substr(question + 1)));
  try {
    auto c = make_conn(methods[data[0] % 6], target);
    if (!valid)
      std::abort(); // a target the decoders refuse must be refused as a whole (400), not half-parsed
    routes().call(c);
    if (c.status < 200 || c.status > 599)
      std::abort();
  } catch (const bad_request&) {
    if (valid)
      std::abort();
  }
  return 0;
}
