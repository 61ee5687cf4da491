// The admin listener's token check; see admin_access.hpp.
#include "plugnode/app/admin_access.hpp"

#include "metric_families.hpp"
#include "plugnode/plugs/basic_auth.hpp"
#include "plugnode/plugs/local_reply.hpp"
#include "plugnode/runtime/log_limiter.hpp"

namespace plugnode::app {

admin_access::admin_access(std::string token, prometheus::Registry& registry)
    : token_(std::move(token)),
      refused_(&counters(registry, "plugnode_admin_refused_total",
                         "Admin listener requests refused for a missing or wrong token (401).")
                    .Add({})) {}

bool admin_access::carries_token(const plugs::conn& c) const {
  if (auto basic = plugs::parse_basic_auth(c))
    return plugs::secure_equal(basic->second, token_);
  auto header = c.get_req_header("authorization");
  constexpr std::string_view bearer = "bearer ";
  if (!header || header->size() <= bearer.size() ||
      plugs::lower_case(header->substr(0, bearer.size())) != bearer)
    return false;
  return plugs::secure_equal(header->substr(bearer.size()), token_);
}

void admin_access::call(plugs::conn& c) const {
  if (token_.empty() || carries_token(c))
    return;
  refused_->Increment();
  runtime::log_limited(spdlog::level::warn, "refused admin requests", c.remote_ip,
                       "admin: refused " + c.method + " from " + c.remote_ip + ": missing or wrong token");
  c.put_resp_header("www-authenticate", "Basic realm=\"plugnode admin\"");
  plugs::local_reply(c, 401);
}

} // namespace plugnode::app
