// basic_auth: HTTP Basic authentication against one user and password (Plug.BasicAuth). A request without
// valid credentials gets 401 with a `www-authenticate` challenge and the pipeline stops there. Credentials
// are compared in constant time, so response timing does not leak how much of a guess was right.
#pragma once

#include <optional>
#include <string>
#include <utility>

#include "plugnode/plugs/conn.hpp"

namespace plugnode::plugs {

struct basic_auth_options {
  std::string username;
  std::string password;
  std::string realm = "plugnode";
};

class basic_auth {
public:
  explicit basic_auth(basic_auth_options options);
  void call(conn& c) const;

private:
  basic_auth_options options_;
};

// The user and password of an `authorization: Basic ...` header, or nullopt.
std::optional<std::pair<std::string, std::string>> parse_basic_auth(const conn& c);

// Equality of two strings in time independent of where they differ (and of their lengths).
bool secure_equal(const std::string& a, const std::string& b);

} // namespace plugnode::plugs
