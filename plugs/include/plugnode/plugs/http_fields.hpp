// http_fields: the HTTP vocabulary the transport shares with the conn: header fields as parsed (names lower
// case), and the status line's reason phrase with the short text body of a reply the server makes itself.
// The connection layer (request_parser, http_server) needs only this, never the conn: the endpoint is the
// adapter that builds a conn from a parsed request, as Plug's adapters do.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <string_view>

namespace plugnode::plugs {

// Transparent comparison: a lookup by a lower-case name needs no std::string of it.
using headers = std::multimap<std::string, std::string, std::less<>>;

// ASCII lower case, for header names.
std::string lower_case(std::string text);

// The standard reason phrase ("Not Found"), or "Unknown" for a code without one.
std::string_view reason_phrase(int status);

// "Reason\n", or "Reason: detail\n" when there is a detail.
std::string local_reply_body(int status, std::string_view detail = {});

} // namespace plugnode::plugs
