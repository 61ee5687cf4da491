#include "plugnode/plugs/conn.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace plugnode::plugs {

conn& conn::send_resp(int code, std::string body_text) {
  status = code;
  resp_body = std::move(body_text);
  halted = true;
  return *this;
}

conn& conn::put_resp_header(std::string name, std::string value) {
  if (value.find_first_of("\r\n") != std::string::npos)
    throw std::invalid_argument("header value for '" + name + "' contains CR or LF");
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  resp_headers.erase(name);
  resp_headers.emplace(std::move(name), std::move(value));
  return *this;
}

} // namespace plugnode::plugs
