// The GET of http_get.hpp.
#include "plugnode/test/http_get.hpp"

#include <httplib.h>

namespace plugnode::test {

std::optional<std::string> ok_body(const std::string& address, std::uint16_t port,
                                   const std::string& target) {
  using namespace std::chrono_literals;
  httplib::Client client(address, port);
  client.set_connection_timeout(1s);
  client.set_read_timeout(2s);
  auto res = client.Get(target.c_str());
  if (!res || res->status != 200)
    return std::nullopt;
  return res->body;
}

} // namespace plugnode::test
