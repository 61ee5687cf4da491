// The conn's request accessors and the response's state machine (unset -> set -> sent); see conn.hpp.
#include "plugnode/plugs/conn.hpp"

#include <algorithm>

#include "plugnode/plugs/uri.hpp"

namespace plugnode::plugs {
namespace {

bool is_upper(char c) {
  return c >= 'A' && c <= 'Z';
}

// Byte tests with std::any_of rather than std::string::find_first_of, which calls memchr once per
// character: that was most of the cost of setting a header.
bool any_char(std::string_view text, bool (*pred)(char)) {
  return std::any_of(text.begin(), text.end(), pred);
}

bool is_line_break(char c) {
  return c == '\r' || c == '\n';
}

// Names are stored lower case, and so are most names looked up: those need no copy.
std::optional<std::string> first(const headers& hs, std::string_view name) {
  auto it = any_char(name, is_upper) ? hs.find(lower_case(std::string(name))) : hs.find(name);
  if (it == hs.end())
    return std::nullopt;
  return it->second;
}

} // namespace

conn make_conn(std::string method, std::string_view target) {
  conn c;
  c.method = std::move(method);
  auto question = target.find('?');
  c.path = std::string(target.substr(0, question));
  auto segments = split_path(c.path);
  if (!segments)
    throw bad_request("invalid path: malformed escape or a '.' or '..' segment");
  c.path_info = std::move(*segments);
  if (question != std::string_view::npos) {
    c.query_string = std::string(target.substr(question + 1));
    auto params = parse_query(c.query_string);
    if (!params)
      throw bad_request("invalid query string: malformed escape");
    c.query_params = std::move(*params);
  }
  return c;
}

std::optional<std::string> conn::get_req_header(std::string_view name) const {
  return first(req_headers, name);
}

std::optional<std::string> conn::get_resp_header(std::string_view name) const {
  return first(resp_headers, name);
}

void conn::refuse_if_sent(const char* what) const {
  if (state == resp_state::sent)
    throw already_sent(std::string("cannot ") + what + ": the response was already sent");
}

conn& conn::put_status(int code) {
  refuse_if_sent("set the status");
  status = code;
  return *this;
}

// A CR or LF in a value would let whoever controls it add headers or a body of their choosing.
conn& conn::put_resp_header(std::string name, std::string value) {
  refuse_if_sent("set a header");
  if (any_char(value, is_line_break))
    throw std::invalid_argument("header value for '" + name + "' contains CR or LF");
  if (name.empty() || any_char(name, [](char c) { return is_line_break(c) || c == ':' || c == ' '; }))
    throw std::invalid_argument("invalid header name '" + name + "'");
  name = lower_case(std::move(name));
  resp_headers.erase(name);
  resp_headers.emplace(std::move(name), std::move(value));
  return *this;
}

conn& conn::put_resp_content_type(std::string type) {
  return put_resp_header("content-type", std::move(type));
}

conn& conn::delete_resp_header(std::string_view name) {
  refuse_if_sent("delete a header");
  resp_headers.erase(lower_case(std::string(name)));
  return *this;
}

conn& conn::resp(int code, std::string body_text) {
  refuse_if_sent("set the response");
  status = code;
  resp_body = std::move(body_text);
  state = resp_state::set;
  return *this;
}

conn& conn::send_resp() {
  refuse_if_sent("send the response");
  if (state == resp_state::unset)
    throw std::logic_error("send_resp() without a response: call resp() first");
  // Callbacks may register more callbacks or change the response; take them out first so each runs once.
  auto callbacks = std::move(before_send_);
  before_send_.clear();
  for (auto it = callbacks.rbegin(); it != callbacks.rend(); ++it)
    (*it)(*this);
  state = resp_state::sent;
  halted = true;
  return *this;
}

conn& conn::send_resp(int code, std::string body_text) {
  resp(code, std::move(body_text));
  return send_resp();
}

conn& conn::register_before_send(std::function<void(conn&)> callback) {
  refuse_if_sent("register a before-send callback");
  // Pipelines register a few (logger, metrics): one allocation rather than growing one by one.
  if (before_send_.empty())
    before_send_.reserve(4);
  before_send_.push_back(std::move(callback));
  return *this;
}

conn& conn::assign(const std::string& key, std::any value) {
  assigns[key] = std::move(value);
  return *this;
}

} // namespace plugnode::plugs
