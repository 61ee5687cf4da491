// The plug test harness of testing.hpp: conns built as requests arrive, and readers for the result.
#include "plugnode/plugs/testing.hpp"

#include <cstdlib>

#include "plugnode/plugs/body_file.hpp"

namespace plugnode::plugs {

conn test_conn(std::string method, std::string_view target, std::string body, const headers& req_headers) {
  conn c = make_conn(std::move(method), target);
  c.host = "www.example.com";
  c.port = 80;
  c.remote_ip = "127.0.0.1";
  c.body = std::move(body);
  for (const auto& [name, value] : req_headers)
    c.req_headers.emplace(lower_case(name), value);
  return c;
}

conn& spool_body(conn& c) {
  const char* tmp = std::getenv("TMPDIR");
  c.spooled_body = body_file::create(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp");
  c.spooled_body->append(c.body);
  std::string().swap(c.body);
  c.body_read = 0;
  return c;
}

} // namespace plugnode::plugs
