// epmd_request: what the node's EPMD responder answers to the bytes a client sent so far.
#include <catch2/catch.hpp>

#include "epmd/epmd_request.hpp"

using namespace plugnode::erlang::detail::epmd;

namespace {

const entry self{"plugnode", 4369, 4371};

std::string request(char code, const std::string& data) {
  auto n = data.size() + 1;
  return std::string{static_cast<char>(n >> 8), static_cast<char>(n & 0xff), code} + data;
}

} // namespace

TEST_CASE("PORT_PLEASE2 for the node's own name gets its port, a hidden node, versions 5-6", "[epmd]") {
  auto r = reply_to(request('z', "plugnode"), self);
  REQUIRE(r.what == reply::verdict::answered);
  CHECK(r.bytes.substr(0, 6) == std::string("\x77\x00\x11\x13\x48\x00", 6));
  CHECK(r.bytes.find("plugnode") != std::string::npos);
}

TEST_CASE("PORT_PLEASE2 for another name is not found, NAMES lists the node", "[epmd]") {
  CHECK(reply_to(request('z', "other"), self).bytes == std::string("\x77\x01", 2));
  auto names = reply_to(request('n', ""), self);
  CHECK(names.bytes == std::string("\x00\x00\x11\x11", 4) + "name plugnode at port 4371\n");
}

TEST_CASE("a partial request waits, a request in pieces is answered once whole", "[epmd]") {
  auto whole = request('z', "plugnode");
  for (std::size_t n = 0; n < whole.size(); ++n)
    CHECK(reply_to(whole.substr(0, n), self).what == reply::verdict::incomplete);
  CHECK(reply_to(whole, self).what == reply::verdict::answered);
}

TEST_CASE("a length of 0 or over 512 is refused at once, another code gets no answer", "[epmd]") {
  CHECK(reply_to(std::string("\x00\x00", 2), self).what == reply::verdict::refused);
  CHECK(reply_to(std::string("\x02\x01", 2), self).what == reply::verdict::refused);
  auto alive2 = reply_to(request('x', "anything"), self); // ALIVE2: registering is not this node's business
  CHECK(alive2.what == reply::verdict::answered);
  CHECK(alive2.bytes.empty());
  CHECK(alive2.code == 'x');
}
