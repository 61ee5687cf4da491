// The plug test harness of testing.hpp: conns built as requests arrive, and readers for the result.
#include "plugnode/plugs/testing.hpp"

#include <cstdlib>
#include <iterator>
#include <stdexcept>

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

stream_client::stream_client(conn& c, std::size_t max_queued)
    : stream_(std::make_shared<response_stream>(max_queued, nullptr)) {
  if (!c.stream)
    throw std::logic_error("stream_client: the conn did not start a stream (send_stream)");
  auto open = std::move(c.stream);
  c.stream = nullptr;
  open(stream_);
}

std::vector<std::string> stream_client::chunks() {
  stream_->take(taken_);
  std::vector<std::string> out(std::make_move_iterator(taken_.begin()),
                               std::make_move_iterator(taken_.end()));
  taken_.clear();
  return out;
}

response_stream::state stream_client::state() {
  // take() also reports the state; what it takes now is kept for the next chunks().
  return stream_->take(taken_);
}

void stream_client::disconnect() {
  if (auto on_close = stream_->drop())
    on_close();
}

} // namespace plugnode::plugs
