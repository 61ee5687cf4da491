// admin_access: the admin listener's gate. With a token configured (PLUGNODE_ADMIN_TOKEN, required when the
// listener is bound off loopback) every request must carry it, as `Authorization: Bearer <token>` (curl,
// scripts) or as the password of HTTP Basic (a browser asks for it once and sends it with every request of
// the page, its event stream included); the user name is ignored. A wrong or missing token gets 401 with a
// Basic challenge, is counted (plugnode_admin_refused_total) and logged through the log limiter; the
// comparison takes the same time wherever a guess differs (plugs::secure_equal, OpenSSL's CRYPTO_memcmp).
// Without a token (a loopback listener) every request passes.
#pragma once

#include <string>

#include "plugnode/plugs/conn.hpp"

namespace prometheus {
class Registry;
class Counter;
} // namespace prometheus

namespace plugnode::app {

class admin_access {
public:
  // The counter goes in `registry` (the node's, so /metrics shows it).
  admin_access(std::string token, prometheus::Registry& registry);
  void call(plugs::conn& c) const;

private:
  bool carries_token(const plugs::conn& c) const;

  std::string token_;
  prometheus::Counter* refused_;
};

} // namespace plugnode::app
