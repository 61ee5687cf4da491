#include "http_response.hpp"

#include <charconv>
#include <ctime>

#include "plugnode/plugs/http_fields.hpp"

namespace plugnode::plugs {
namespace {

// RFC 9110 requires a Date on every response; formatting it once a second per thread keeps it cheap.
std::string_view date_field() {
  thread_local std::time_t cached_second = 0;
  thread_local char cached[64];
  thread_local std::size_t length = 0;
  auto now = std::time(nullptr);
  if (now != cached_second) {
    std::tm utc{};
    gmtime_r(&now, &utc);
    length = std::strftime(cached, sizeof cached, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &utc);
    cached_second = now;
  }
  return {cached, length};
}

void append_number(std::string& out, std::size_t n) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, n).ptr;
  out.append(digits, end);
}

// Responses that never carry content (RFC 9110 6.4.1), so no Content-Length either.
bool bodiless(int status) {
  return status < 200 || status == 204 || status == 304;
}

} // namespace

void render_response(const http_response& response, bool keep_alive, bool http10_keep_alive,
                     std::string& out) {
  out.reserve(out.size() + 160 + response.fields.size() + response.body.size());
  out.append("HTTP/1.1 ");
  append_number(out, static_cast<std::size_t>(response.status));
  out += ' ';
  out.append(reason_phrase(response.status));
  out.append("\r\n");
  out.append(response.fields);
  if (response.open_stream) {
    if (response.chunked)
      out.append("Transfer-Encoding: chunked\r\n");
  } else if (!bodiless(response.status)) {
    out.append("Content-Length: ");
    append_number(out, response.body.size());
    out.append("\r\n");
  }
  out.append(date_field());
  if (!keep_alive)
    out.append("Connection: close\r\n");
  else if (http10_keep_alive)
    out.append("Connection: keep-alive\r\n");
  out.append("\r\n");
  if (!response.omit_body && !response.open_stream && !bodiless(response.status))
    out.append(response.body);
}

void append_chunk(std::string_view data, std::string& out) {
  char digits[24];
  auto end = std::to_chars(digits, digits + sizeof digits, data.size(), 16).ptr;
  out.append(digits, end).append("\r\n").append(data).append("\r\n");
}

std::string local_response_bytes(int status, std::string_view detail, bool omit_body) {
  http_response response;
  response.status = status;
  response.fields = "Content-Type: text/plain; charset=utf-8\r\n";
  response.body = local_reply_body(status, detail);
  response.omit_body = omit_body;
  std::string out;
  render_response(response, false, false, out);
  return out;
}

} // namespace plugnode::plugs
