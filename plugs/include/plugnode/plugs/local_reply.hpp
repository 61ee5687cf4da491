// local_reply: the replies the server makes itself (404, 405, 413, a crash's 500, a deadline's 503 ...), in
// one form: the status, its reason phrase as a short text body ("Not Found\n", or "Bad Request: <detail>\n"),
// and the content type that goes with it. Plugs reply through a conn; the connection layer, which has no
// conn for a request it refuses, renders the same bytes with local_response_bytes.
#pragma once

#include <string>
#include <string_view>

#include "plugnode/plugs/conn.hpp"
#include "plugnode/plugs/http_fields.hpp"

namespace plugnode::plugs {

// Sends `status` with local_reply_body as a plain-text response (a JSON object after the json_errors plug,
// json.hpp); the conn's other headers stay.
conn& local_reply(conn& c, int status, std::string_view detail = {});

} // namespace plugnode::plugs
