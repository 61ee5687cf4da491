// conn: one HTTP request and the response being built for it, passed through every plug of a pipeline
// (Plug.Conn). A value type: plugs read the request half and fill in the response half through the member
// functions, which keep the response's state (unset -> set -> sent) honest: nothing changes once it is sent.
#pragma once

#include <any>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "plugnode/plugs/http_fields.hpp"

namespace caf {
class actor_system;
class blocking_actor;
} // namespace caf

namespace plugnode::plugs {

class body_file;
class response_stream;

// Thrown by any response change after the response was sent (Plug.Conn.AlreadySentError).
struct already_sent : std::logic_error {
  using std::logic_error::logic_error;
};

struct conn {
  enum class resp_state { unset, set, sent };

  // request
  std::string method;
  std::string scheme = "http";
  std::string host; // from the Host header, without the port
  std::uint16_t port = 0;
  std::string path;                     // raw, still percent-encoded; what the client sent
  std::vector<std::string> path_info;   // decoded segments below script_name (a forward strips a prefix)
  std::vector<std::string> script_name; // decoded segments a forward consumed
  std::string query_string;             // raw, without '?'
  std::map<std::string, std::string> query_params; // decoded; the last of repeated keys wins
  std::map<std::string, std::string> path_params;  // from the router's :param and *glob segments
  std::map<std::string, std::string> body_params;  // from the urlencoded parser
  headers req_headers;                             // names lower case
  // The body, when the connection kept it in memory; a body past the spool threshold is in spooled_body
  // instead and `body` is empty. read_body() (read_body.hpp) reads either, in parts.
  std::string body;
  std::shared_ptr<body_file> spooled_body; // closed by the connection when the request ends
  std::uint64_t body_read = 0;             // bytes read_body() has returned
  std::string remote_ip;

  // response; read them freely, change them through the functions below
  int status = 0;
  headers resp_headers; // names lower case
  std::string resp_body;
  resp_state state = resp_state::unset;
  bool halted = false;
  // Set by send_stream (response_stream.hpp): the body comes later, through the stream this opens.
  std::function<void(std::shared_ptr<response_stream>)> stream;

  // Data for plugs further down (assigns), and for libraries (private).
  std::map<std::string, std::any> assigns;
  std::map<std::string, std::any> private_;

  // The request's actor and the deadline of its pipeline, set by the endpoint (see ask.hpp). Without them
  // (a bare conn in a test), asks use a temporary actor of `system`.
  caf::actor_system* system = nullptr;
  caf::blocking_actor* self = nullptr;
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();

  // First value of a request header (name in any case).
  std::optional<std::string> get_req_header(std::string_view name) const;
  std::optional<std::string> get_resp_header(std::string_view name) const;

  // Response changes; each throws already_sent once the response is out.
  conn& put_status(int code);
  conn& put_resp_header(std::string name, std::string value); // refuses CR or LF in the value
  conn& put_resp_content_type(std::string type);
  conn& delete_resp_header(std::string_view name);
  conn& resp(int code, std::string body_text); // sets status and body: state set
  // Runs the before-send callbacks (last registered first), then marks the response sent and the conn
  // halted; the endpoint writes it. The second form is resp() then send_resp().
  conn& send_resp();
  conn& send_resp(int code, std::string body_text);
  conn& register_before_send(std::function<void(conn&)> callback);

  conn& halt() {
    halted = true;
    return *this;
  }
  conn& assign(const std::string& key, std::any value);
  template <class T> const T* assigned(const std::string& key) const {
    auto it = assigns.find(key);
    return it == assigns.end() ? nullptr : std::any_cast<T>(&it->second);
  }

private:
  void refuse_if_sent(const char* what) const;
  std::vector<std::function<void(conn&)>> before_send_;
};

// Thrown for a request target the server refuses (400): a malformed escape, a "." or ".." segment.
struct bad_request : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// A conn for `method` and a request target ("/a/b?x=1"): path, decoded path_info and query params filled in.
// Throws bad_request for a target it refuses. The endpoint and the test harness both start here.
conn make_conn(std::string method, std::string_view target);

} // namespace plugnode::plugs
