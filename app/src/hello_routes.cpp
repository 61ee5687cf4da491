// The starter's routes of hello_routes.hpp.
#include "plugnode/app/hello_routes.hpp"

#include <fmt/format.h>

#include <stdexcept>

namespace plugnode::app {

std::string greeting_header(const std::string& name) {
  std::string safe;
  for (unsigned char ch : name) {
    if (ch < 0x20 || ch == 0x7f)
      safe += fmt::format("%{:02X}", ch);
    else
      safe += static_cast<char>(ch);
  }
  return "Hello, " + safe + "!";
}

void add_hello_routes(plugs::router& router, std::string route_list) {
  router.get("/", [body = "Hello, World!\n\n" + std::move(route_list)](plugs::conn& c) {
    c.put_resp_content_type("text/plain; charset=utf-8").send_resp(200, body);
  });
  // Raises on purpose, as the starter's /crash does: the error handler turns it into a 500 and a crash
  // report.
  router.get("/crash",
             [](plugs::conn&) -> void { throw std::runtime_error("crash requested: GET /crash raises"); });
  router.get("/:name", [](plugs::conn& c) {
    const auto& name = c.path_params.at("name");
    c.put_resp_header("x-greeting", greeting_header(name));
    c.put_resp_content_type("text/plain; charset=utf-8").send_resp(200, "Hello, " + name + "!\n");
  });
}

} // namespace plugnode::app
