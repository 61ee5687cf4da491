#include "plugnode/plugs/error_handler.hpp"

#include <exception>

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
  c.put_resp_content_type("text/plain; charset=utf-8");
  c.send_resp(status, status == 503 ? "Service Unavailable\n" : "Internal Server Error\n");
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
