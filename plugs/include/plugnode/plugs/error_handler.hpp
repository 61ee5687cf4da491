// error_handler: turns an exception in any plug below it into a 500 with a short body, and a crash report
// (request id, method, path, what) in the log (Plug.ErrorHandler). Unlike Plug, the before-send callbacks
// registered before the crash still run, so the logger logs the 500 and the metrics count it. The endpoint
// wraps every pipeline in it: the client never sees an exception's text.
#pragma once

#include <string_view>

#include "plugnode/plugs/plug.hpp"

namespace plugnode::plugs {

class error_handler {
public:
  explicit error_handler(plug inner) : inner_(std::move(inner)) {}
  void call(conn& c) const;
  bool blocks(const request_path& r) const { return inner_.blocks(r); }

private:
  plug inner_;
};

// Logs the crash report and, unless the response is already out, sends `status` with a short body.
void fail_request(conn& c, int status, std::string_view reason);

} // namespace plugnode::plugs
