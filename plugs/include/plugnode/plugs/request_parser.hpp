// request_parser: frames and parses one HTTP/1.1 request at a time from the bytes a connection has received
// (RFC 9112), strictly enough that one message is always one request: whatever the method, a body is framed
// by Content-Length or chunked coding and consumed, and every ambiguity a proxy in front could read
// differently (Content-Length with Transfer-Encoding, repeated or listed lengths, a coding after chunked,
// bare LF line ends, obsolete line folding, white space before a colon) is refused, after which the
// connection must close. Incremental: feed() it the unconsumed bytes as they arrive; a trickled head is
// scanned once, not again per byte.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "plugnode/plugs/http_fields.hpp"

namespace plugnode::plugs {

class body_file;

struct request_limits {
  std::size_t max_head_bytes = std::size_t{16} << 10; // request line and header fields together
  std::size_t max_headers = 100;
  std::size_t max_body = std::size_t{8} << 20; // decoded body; larger gets 413 before it is read
  // Decoded body bytes held in the body string without asking; past them the parser waits for allow_body()
  // (a server's share of a node-wide body budget). Unlimited unless a server sets it.
  std::uint64_t body_allowance = UINT64_MAX;
};

// A parsed request, as the connection hands it on.
struct http_request {
  std::string method;
  std::string target; // origin form: "/path?query" (an absolute-form target is reduced to it)
  int minor_version = 1;
  headers fields;   // names lower case, values without surrounding white space
  std::string host; // the Host field or an absolute-form target's authority, with any port
  std::string body; // decoded; a server that spools moves it out as it comes (body_spool.hpp)
  // Set instead of `body` when the server spooled the body to a temporary file (read_body.hpp).
  std::shared_ptr<body_file> spooled;
  bool keep_alive = true;
  bool expects_continue = false;
  // Set by the server as the request leaves its connection to run: decided once, used by all.
  bool head = false; // method HEAD: the answer's head alone
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

// Why a request was refused: the status to answer (then close) and a short reason for the log.
struct request_error {
  int status = 400;
  std::string reason;
};

class request_parser {
public:
  enum class outcome { need_more, complete, refused };

  explicit request_parser(request_limits limits = {}) : limits_(limits) {}

  // Parses what it can of `data` (the connection's unconsumed bytes, from the start of this request or
  // where the last call stopped consuming); `consumed` is how many bytes of it are now used up. After
  // `complete`, request() holds the request and the parser is ready for the next one (reset()).
  outcome feed(std::string_view data, std::size_t& consumed);

  // The head is parsed and the body is still coming (for 100-continue, and a different timeout).
  bool in_body() const { return phase_ != phase::head; }
  // Bytes of this request seen so far (the head counts even before it is consumed).
  bool started() const { return phase_ != phase::head || scanned_ > 0; }
  // The body this request will have once what it announced so far (its Content-Length, or the chunks up to
  // the current one) has arrived, in decoded bytes; and what has arrived (moved out of the body string or
  // not).
  std::uint64_t body_needed() const { return received_ + remaining_; }
  std::uint64_t body_received() const { return received_; }
  // Lets the body string hold `bytes` (from the allowance in the limits); feed() stops at the allowance and
  // answers need_more, leaving the rest unconsumed. Capacity for `bytes` is reserved at once.
  void allow_body(std::uint64_t bytes);
  http_request& request() { return request_; }
  const request_error& error() const { return error_; }
  void reset();

private:
  enum class phase { head, sized_body, chunk_size, chunk_data, chunk_data_end, trailers };

  outcome refuse(int status, std::string reason);
  outcome refuse_oversize(std::string_view head);
  outcome parse_head(std::string_view head);
  outcome parse_request_line(std::string_view line);
  outcome parse_field(std::string_view line);
  outcome frame_body();
  outcome body(std::string_view data, std::size_t& consumed);
  // One CRLF-ended line of the chunked framing from `data`, or need_more; bare LF and overlong lines refused.
  outcome chunk_line(std::string_view data, std::size_t& consumed, std::string_view& line);

  request_limits limits_;
  phase phase_ = phase::head;
  std::size_t scanned_ = 0;     // head bytes already searched for the blank line
  std::uint64_t remaining_ = 0; // body or chunk bytes still to come
  std::uint64_t received_ = 0;  // decoded body bytes so far
  std::uint64_t allowance_ = limits_.body_allowance;
  std::size_t trailer_bytes_ = 0;
  std::size_t content_lengths_ = 0;
  std::string content_length_;
  std::size_t transfer_encodings_ = 0; // fields, however empty
  std::string transfer_encoding_;
  std::size_t hosts_ = 0;
  http_request request_;
  request_error error_;
};

} // namespace plugnode::plugs
