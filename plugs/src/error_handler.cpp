#include "plugnode/plugs/error_handler.hpp"

#include <exception>

#include "plugnode/plugs/local_reply.hpp"
#include "plugnode/plugs/request_id.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugnode::plugs {

void fail_request(conn& c, int status, std::string_view reason) {
  runtime::logger().error("crash report: request_id={} {} {} answered {}: {}", request_id_of(c), c.method,
                          c.path, status, reason);
  if (c.state == conn::resp_state::sent)
    return;
  // The half-built response is dropped, but not what earlier plugs set for every response (the request id).
  c.resp_body.clear();
  local_reply(c, status);
}

void error_handler::call(conn& c) const {
  try {
    inner_.call(c);
  } catch (const std::exception& e) {
    fail_request(c, 500, e.what());
  } catch (...) {
    fail_request(c, 500, "unknown exception");
  }
}

} // namespace plugnode::plugs
