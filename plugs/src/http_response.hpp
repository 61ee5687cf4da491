// http_response: what a request handler answers, and how it goes on the wire. The connection layer adds
// the framing it alone knows (Content-Length, Date, Connection); replies made without an application (a
// refused request, a 408, a deadline's 503) render through the same function.
#pragma once

#include <string>
#include <string_view>

#include "plugnode/plugs/response_stream.hpp"

namespace plugnode::plugs {

struct http_response {
  int status = 200;
  std::string fields; // "name: value\r\n" lines, without the framing fields
  std::string body;
  bool omit_body = false; // HEAD (the server decides): the body's Content-Length, no body
  bool close = false;     // the handler wants the connection closed after this response
  // A streaming response: the head now, the body from the stream this opens, always closing the connection
  // at its end. Chunked for HTTP/1.1; to an HTTP/1.0 client the body simply ends with the connection.
  stream_opened open_stream;
  bool chunked = false;
};

// One chunk of a chunked body ("size in hex CRLF data CRLF"), appended to `out`; the final chunk is
// "0\r\n\r\n".
void append_chunk(std::string_view data, std::string& out);

// Appends the whole response to `out`. `keep_alive` false adds `Connection: close`; an HTTP/1.0 client that
// asked for keep-alive is told `Connection: keep-alive`.
void render_response(const http_response& response, bool keep_alive, bool http10_keep_alive,
                     std::string& out);

// A response the server makes itself (local_reply_body as plain text), always closing the connection.
std::string local_response_bytes(int status, std::string_view detail = {}, bool omit_body = false);

} // namespace plugnode::plugs
