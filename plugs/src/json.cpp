// JSON responses and JSON error bodies; see json.hpp.
#include "plugnode/plugs/json.hpp"

namespace plugnode::plugs {
namespace {

const std::string json_errors_key = "plugnode.json_errors";

} // namespace

conn& send_json(conn& c, int status, const nlohmann::json& body) {
  return c.put_resp_content_type("application/json").send_resp(status, body.dump() + "\n");
}

void json_errors::call(conn& c) const {
  c.private_[json_errors_key] = true;
}

bool json_errors_on(const conn& c) {
  return c.private_.count(json_errors_key) != 0;
}

} // namespace plugnode::plugs
