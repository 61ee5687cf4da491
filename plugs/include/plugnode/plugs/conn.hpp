// conn: one HTTP request and the response being built for it, passed through every plug of a pipeline
// (Plug.Conn). A value type: plugs read the request half and fill in the response half.
#pragma once

#include <map>
#include <string>

namespace plugnode::plugs {

struct conn {
  // request
  std::string method;
  std::string path;
  std::string query_string;
  std::multimap<std::string, std::string> req_headers; // names lower case
  std::string body;
  std::string remote_ip;

  // response
  int status = 0; // 0: not set yet
  std::multimap<std::string, std::string> resp_headers;
  std::string resp_body;

  bool halted = false;

  // Sets status and body and marks the conn done for later plugs.
  conn& send_resp(int code, std::string body_text);
  conn& put_resp_header(std::string name, std::string value);
};

} // namespace plugnode::plugs
