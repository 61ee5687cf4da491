// The server's own replies in one form; see local_reply.hpp.
#include "plugnode/plugs/local_reply.hpp"

#include "plugnode/plugs/json.hpp"

namespace plugnode::plugs {

conn& local_reply(conn& c, int status, std::string_view detail) {
  if (json_errors_on(c)) {
    nlohmann::json body{{"error", reason_phrase(status)}, {"status", status}};
    if (!detail.empty())
      body["detail"] = detail;
    return send_json(c, status, body);
  }
  return c.put_resp_content_type("text/plain; charset=utf-8")
      .send_resp(status, local_reply_body(status, detail));
}

} // namespace plugnode::plugs
