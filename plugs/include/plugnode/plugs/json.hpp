// json: JSON responses. send_json writes a JSON value as the response; json_errors, a plug, makes the replies
// the server makes itself further down the pipeline (local_reply.hpp: the router's 404 and 405, the
// parsers' 400, 413 and 415, a crash's 500) JSON objects instead of plain text, for an API whose clients
// parse every answer. A per-pipeline choice: put it in an API scope's plugs, the rest of the service keeps
// text.
//
//   pipeline api{json_errors{}, parsers{}, ...};   // a 404 under it: {"error":"Not Found","status":404}
//   send_json(c, 201, {{"id", 7}});
#pragma once

#include <nlohmann/json.hpp>

#include "plugnode/plugs/conn.hpp"

namespace plugnode::plugs {

// Sends `body` (serialized, with a final newline) with `status` and content type application/json.
conn& send_json(conn& c, int status, const nlohmann::json& body);

// From this plug on, local replies on the conn are {"error": "<reason phrase>", "status": N} with
// "detail" when there is one, as application/json.
struct json_errors {
  void call(conn& c) const;
};

// True once json_errors ran on the conn.
bool json_errors_on(const conn& c);

} // namespace plugnode::plugs
