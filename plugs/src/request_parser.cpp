#include "plugnode/plugs/request_parser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <vector>

namespace plugnode::plugs {
namespace {

constexpr std::size_t max_chunk_line = 4096; // a chunk size with its extensions

// RFC 9110 token characters: what a method, a field name and a transfer coding are made of.
constexpr std::array<bool, 256> token_table = [] {
  std::array<bool, 256> t{};
  for (int c = '0'; c <= '9'; ++c)
    t[c] = true;
  for (int c = 'a'; c <= 'z'; ++c)
    t[c] = t[c - 32] = true;
  for (char c : std::string_view("!#$%&'*+-.^_`|~"))
    t[static_cast<unsigned char>(c)] = true;
  return t;
}();

bool is_token(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(),
                                      [](char c) { return token_table[static_cast<unsigned char>(c)]; });
}

// A field value: visible characters, spaces, tabs and obs-text; no control character (NUL, CR, DEL ...).
bool is_field_value(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

// A request target: visible ASCII only (no space, no control, no raw non-ASCII byte), no fragment.
bool is_target(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char ch) {
    auto c = static_cast<unsigned char>(ch);
    return c > 0x20 && c < 0x7f && c != '#';
  });
}

// A Host value or authority: a reg-name, an IP literal in brackets, an optional port.
bool is_authority(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("-._~:[]%!$&'()*+,;=", c) != nullptr;
  });
}

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos)
    return {};
  auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
  return text.size() >= prefix.size() && equals_ignoring_case(text.substr(0, prefix.size()), prefix);
}

// RFC 9110 5.6.1 has recipients skip empty list elements ("close, , x"). Framing fields are the exception:
// an empty element in Transfer-Encoding is refused, since a proxy in front could read the list otherwise.
enum class empty_elements { skipped, refused };

// Calls `each` with every trimmed non-empty element of a comma-separated list; false if an empty element is
// refused, or if there is no element at all.
template <class F> bool for_each_listed(std::string_view list, empty_elements empties, F each) {
  bool any = false;
  while (true) {
    auto comma = list.find(',');
    auto item = trim(list.substr(0, comma));
    if (!item.empty()) {
      any = true;
      each(item);
    } else if (empties == empty_elements::refused) {
      return false;
    }
    if (comma == std::string_view::npos)
      return any;
    list.remove_prefix(comma + 1);
  }
}

bool is_known_method(std::string_view m) {
  static constexpr std::array<std::string_view, 7> known{"GET",   "HEAD",   "POST",   "PUT",
                                                         "PATCH", "DELETE", "OPTIONS"};
  return std::find(known.begin(), known.end(), m) != known.end();
}

} // namespace

request_parser::outcome request_parser::refuse(int status, std::string reason) {
  error_ = {status, std::move(reason)};
  return outcome::refused;
}

// 414 when the request line alone is over the limit (the target is what is too long), else 431.
request_parser::outcome request_parser::refuse_oversize(std::string_view head) {
  auto first_line = head.find('\n');
  if (first_line == std::string_view::npos || first_line >= limits_.max_head_bytes)
    return refuse(414, "request line too long");
  return refuse(431, "request head too large");
}

void request_parser::allow_body(std::uint64_t bytes) {
  allowance_ = bytes;
  request_.body.reserve(bytes);
}

void request_parser::reset() {
  phase_ = phase::head;
  scanned_ = 0;
  remaining_ = 0;
  received_ = 0;
  allowance_ = limits_.body_allowance;
  trailer_bytes_ = 0;
  content_lengths_ = 0;
  content_length_.clear();
  transfer_encodings_ = 0;
  transfer_encoding_.clear();
  hosts_ = 0;
  // Moving an empty string into the body would keep its buffer (libstdc++ copies a short string into the
  // capacity it has): a slot's parser would hold its largest body for good. Swapped out, it is freed.
  std::string().swap(request_.body);
  request_ = http_request{};
  error_ = {};
}

request_parser::outcome request_parser::feed(std::string_view data, std::size_t& consumed) {
  consumed = 0;
  if (phase_ != phase::head)
    return body(data, consumed);
  // Empty lines before a request line are ignored (RFC 9112 2.2): some clients send one after a body.
  if (scanned_ == 0) {
    while (data.size() - consumed >= 2 && data[consumed] == '\r' && data[consumed + 1] == '\n')
      consumed += 2;
    if (data.size() - consumed == 1 && data[consumed] == '\r')
      return outcome::need_more; // perhaps an empty line whose LF is still on its way (found by fuzzing)
  }
  auto head = data.substr(consumed);
  // Each line end is looked at once, however the head trickles in: scanned_ is where the last call stopped.
  for (auto at = scanned_; at < head.size();) {
    auto* found = static_cast<const char*>(std::memchr(head.data() + at, '\n', head.size() - at));
    if (found == nullptr)
      break;
    auto lf = static_cast<std::size_t>(found - head.data());
    if (lf == 0 || head[lf - 1] != '\r')
      return refuse(400, "a line ends in a bare LF");
    if (lf >= 3 && head.compare(lf - 3, 4, "\r\n\r\n") == 0) {
      if (lf + 1 > limits_.max_head_bytes)
        return refuse_oversize(head);
      consumed += lf + 1;
      if (auto o = parse_head(head.substr(0, lf - 3)); o != outcome::need_more)
        return o;
      return frame_body() == outcome::refused ? outcome::refused : body(data, consumed);
    }
    at = lf + 1;
  }
  scanned_ = head.size();
  if (head.size() > limits_.max_head_bytes)
    return refuse_oversize(head);
  return outcome::need_more;
}

// `head`: the request line and the field lines, each ending in CRLF but the last.
request_parser::outcome request_parser::parse_head(std::string_view head) {
  auto line_end = head.find("\r\n");
  if (auto o = parse_request_line(head.substr(0, line_end)); o != outcome::need_more)
    return o;
  std::size_t fields = 0;
  while (line_end != std::string_view::npos) {
    head.remove_prefix(line_end + 2);
    line_end = head.find("\r\n");
    if (++fields > limits_.max_headers)
      return refuse(431, "too many header fields");
    if (auto o = parse_field(head.substr(0, line_end)); o != outcome::need_more)
      return o;
  }
  auto& r = request_;
  if (hosts_ == 0 && r.minor_version == 1)
    return refuse(400, "no Host field");
  if (!is_authority(r.host))
    return refuse(400, "malformed Host");
  if (!r.host.empty())
    r.fields.emplace("host", r.host);
  return outcome::need_more;
}

request_parser::outcome request_parser::parse_request_line(std::string_view line) {
  auto& r = request_;
  auto sp1 = line.find(' ');
  auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos)
    return refuse(400, "malformed request line");
  auto method = line.substr(0, sp1);
  auto target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  auto version = line.substr(sp2 + 1);
  if (!is_token(method) || !is_target(target) || version.size() != 8 || version.compare(0, 5, "HTTP/") != 0 ||
      !std::isdigit(static_cast<unsigned char>(version[5])) || version[6] != '.' ||
      !std::isdigit(static_cast<unsigned char>(version[7])))
    return refuse(400, "malformed request line");
  if (version[5] != '1')
    return refuse(505, "only HTTP/1.x is served");
  if (!is_known_method(method))
    return refuse(501, "method not implemented");
  r.method = std::string(method);
  r.minor_version = version[7] == '0' ? 0 : 1;
  r.keep_alive = r.minor_version == 1;
  if (target.front() == '/') {
    r.target = std::string(target);
    return outcome::need_more;
  }
  // Absolute form (RFC 9112 3.2.2): a server must accept it; its authority replaces the Host field.
  std::string_view rest;
  if (starts_with_ignoring_case(target, "http://"))
    rest = target.substr(7);
  else if (starts_with_ignoring_case(target, "https://"))
    rest = target.substr(8);
  else
    return refuse(400, "malformed request target");
  auto path = rest.find_first_of("/?");
  auto authority = rest.substr(0, path);
  if (authority.empty() || authority.find('@') != std::string_view::npos || !is_authority(authority))
    return refuse(400, "malformed request target");
  r.host = std::string(authority);
  r.target = path == std::string_view::npos ? "/" : std::string(rest.substr(path));
  if (r.target.front() == '?')
    r.target.insert(0, "/");
  return outcome::need_more;
}

request_parser::outcome request_parser::parse_field(std::string_view line) {
  if (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
    return refuse(400, "obsolete line folding");
  auto colon = line.find(':');
  if (colon == std::string_view::npos || !is_token(line.substr(0, colon)))
    return refuse(400, "malformed header field");
  auto value = trim(line.substr(colon + 1));
  if (!is_field_value(value))
    return refuse(400, "control character in a header field");
  auto name = lower_case(std::string(line.substr(0, colon)));
  auto& r = request_;
  if (name == "content-length") {
    ++content_lengths_;
    content_length_ = std::string(value);
  } else if (name == "transfer-encoding") {
    // Present at all, even empty, it decides the framing: an empty value is an error, not "no coding".
    transfer_encoding_.append(transfer_encodings_++ == 0 ? "" : ",").append(value);
  } else if (name == "host") {
    if (hosts_++ > 0)
      return refuse(400, "several Host fields");
    if (r.host.empty()) // an absolute-form target's authority wins over the field
      r.host = std::string(value);
    return outcome::need_more; // stored once the head is whole, as the host the request is for
  } else if (name == "connection") {
    for_each_listed(value, empty_elements::skipped, [&](std::string_view option) {
      if (equals_ignoring_case(option, "close"))
        r.keep_alive = false;
      else if (equals_ignoring_case(option, "keep-alive") && r.minor_version == 0)
        r.keep_alive = true;
    });
  } else if (name == "expect") {
    if (!equals_ignoring_case(value, "100-continue"))
      return refuse(417, "only 100-continue is expected");
    r.expects_continue = r.minor_version == 1;
  }
  r.fields.emplace_hint(r.fields.end(), std::move(name), std::string(value));
  return outcome::need_more;
}

// RFC 9112 6.3: how long the body is, refusing every framing two readers could disagree on.
request_parser::outcome request_parser::frame_body() {
  auto& r = request_;
  if (transfer_encodings_ > 0) {
    if (content_lengths_ > 0)
      return refuse(400, "Content-Length together with Transfer-Encoding");
    if (r.minor_version == 0)
      return refuse(400, "Transfer-Encoding in an HTTP/1.0 request");
    std::vector<std::string> codings;
    if (!for_each_listed(transfer_encoding_, empty_elements::refused,
                         [&](std::string_view c) { codings.push_back(lower_case(std::string(c))); }))
      return refuse(400, "malformed Transfer-Encoding");
    if (codings.back() != "chunked") {
      static constexpr std::array<std::string_view, 6> known{"gzip",     "x-gzip",     "deflate",
                                                             "compress", "x-compress", "identity"};
      bool all_known = std::all_of(codings.begin(), codings.end(), [](const std::string& c) {
        return c == "chunked" || std::find(known.begin(), known.end(), c) != known.end();
      });
      return all_known ? refuse(400, "chunked is not the final transfer coding")
                       : refuse(501, "unknown transfer coding");
    }
    if (std::count(codings.begin(), codings.end(), "chunked") > 1)
      return refuse(400, "chunked applied twice");
    if (codings.size() > 1)
      return refuse(501, "transfer coding " + codings.front() + " not implemented");
    phase_ = phase::chunk_size;
    return outcome::need_more;
  }
  if (content_lengths_ > 1)
    return refuse(400, "repeated Content-Length");
  if (content_lengths_ == 1) {
    const auto& text = content_length_;
    if (text.empty() || text.size() > 18 ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; }))
      return refuse(400, "malformed Content-Length");
    remaining_ = std::stoull(text);
    if (remaining_ > limits_.max_body)
      return refuse(413, "body larger than " + std::to_string(limits_.max_body) + " bytes");
    if (remaining_ > 0) {
      r.body.reserve(std::min(remaining_, allowance_)); // not past the allowance: memory not yet granted
      phase_ = phase::sized_body;
      return outcome::need_more;
    }
  }
  r.expects_continue = false;
  phase_ = phase::sized_body;
  return outcome::need_more;
}

request_parser::outcome request_parser::chunk_line(std::string_view data, std::size_t& consumed,
                                                   std::string_view& line) {
  auto rest = data.substr(consumed);
  auto lf = rest.find('\n');
  if (lf == std::string_view::npos)
    return rest.size() > max_chunk_line ? refuse(400, "chunk line too long") : outcome::need_more;
  if (lf == 0 || rest[lf - 1] != '\r')
    return refuse(400, "a line ends in a bare LF");
  if (lf > max_chunk_line)
    return refuse(400, "chunk line too long");
  line = rest.substr(0, lf - 1);
  consumed += lf + 1;
  return outcome::complete;
}

request_parser::outcome request_parser::body(std::string_view data, std::size_t& consumed) {
  auto& b = request_.body;
  while (true) {
    switch (phase_) {
    case phase::head: return outcome::need_more;
    case phase::sized_body:
    case phase::chunk_data: {
      auto room = allowance_ - std::min<std::uint64_t>(allowance_, b.size());
      auto take = std::min<std::uint64_t>({remaining_, data.size() - consumed, room});
      b.append(data.substr(consumed, take));
      consumed += take;
      remaining_ -= take;
      received_ += take;
      if (remaining_ > 0)
        return outcome::need_more;
      if (phase_ == phase::sized_body)
        return outcome::complete;
      phase_ = phase::chunk_data_end;
      break;
    }
    case phase::chunk_data_end: {
      auto rest = data.substr(consumed);
      if ((!rest.empty() && rest[0] != '\r') || (rest.size() >= 2 && rest[1] != '\n'))
        return refuse(400, "chunk data not followed by CRLF");
      if (rest.size() < 2)
        return outcome::need_more;
      consumed += 2;
      phase_ = phase::chunk_size;
      break;
    }
    case phase::chunk_size: {
      std::string_view line;
      if (auto o = chunk_line(data, consumed, line); o != outcome::complete)
        return o;
      auto digits = std::min(line.find_first_not_of("0123456789abcdefABCDEF"), line.size());
      auto extension = trim(line.substr(digits));
      if (digits == 0 || digits > 15 || (!extension.empty() && extension.front() != ';') ||
          !is_field_value(extension))
        return refuse(400, "malformed chunk size");
      remaining_ = std::stoull(std::string(line.substr(0, digits)), nullptr, 16);
      if (remaining_ > limits_.max_body - received_)
        return refuse(413, "body larger than " + std::to_string(limits_.max_body) + " bytes");
      phase_ = remaining_ == 0 ? phase::trailers : phase::chunk_data;
      break;
    }
    case phase::trailers: {
      std::string_view line;
      if (auto o = chunk_line(data, consumed, line); o != outcome::complete)
        return o;
      if (line.empty())
        return outcome::complete;
      trailer_bytes_ += line.size() + 2;
      if (trailer_bytes_ > limits_.max_head_bytes)
        return refuse(431, "trailer section too large");
      auto colon = line.find(':');
      if (line.front() == ' ' || line.front() == '\t' || colon == std::string_view::npos ||
          !is_token(line.substr(0, colon)) || !is_field_value(line.substr(colon + 1)))
        return refuse(400, "malformed trailer field");
      break;
    }
    }
  }
}

} // namespace plugnode::plugs
