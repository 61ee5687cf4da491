#include "plugnode/plugs/local_reply.hpp"

namespace plugnode::plugs {

conn& local_reply(conn& c, int status, std::string_view detail) {
  return c.put_resp_content_type("text/plain; charset=utf-8")
      .send_resp(status, local_reply_body(status, detail));
}

} // namespace plugnode::plugs
