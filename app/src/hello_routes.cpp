// The starter's routes of hello_routes.hpp.
#include "plugnode/app/hello_routes.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "plugnode/app/greeter.hpp"
#include "plugnode/app/registered_names.hpp"

namespace plugnode::app {
namespace {

const char* const route_list =
    "Routes:\n"
    "  GET /          this page\n"
    "  GET /<name>    a greeting (also in the x-greeting header)\n"
    "  GET /crash     raises inside the pipeline: 500, and the node lives on\n"
    "  GET /status    the status checker's last result (JSON with Accept: application/json)\n"
    "  GET /metrics   Prometheus metrics\n"
    "  GET /healthz   alive\n"
    "  GET /readyz    ready: listening and discovery answered\n"
    "  GET /cluster   this node, its peers and discovery's last answer (JSON)\n";

} // namespace

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
  // These never block: served on the event loops (plug.hpp).
  router.get("/", plugs::non_blocking([body = "Hello, World!\n\n" + std::move(route_list)](plugs::conn& c) {
               c.put_resp_content_type("text/plain; charset=utf-8").send_resp(200, body);
             }));
  // Raises on purpose, as the starter's /crash does: the error handler turns it into a 500 and a crash
  // report.
  router.get("/crash", plugs::non_blocking([](plugs::conn&) -> void {
               throw std::runtime_error("crash requested: GET /crash raises");
             }));
  router.get("/:name", plugs::non_blocking([](plugs::conn& c) {
               const auto& name = c.path_params.at("name");
               c.put_resp_header("x-greeting", greeting_header(name));
               c.put_resp_content_type("text/plain; charset=utf-8").send_resp(200, "Hello, " + name + "!\n");
             }));
}

service hello_service() {
  service hello;
  hello.summary = "clustered HTTP services on CAF actors";
  hello.routes = [](plugs::router& router, const node_services&) { add_hello_routes(router, route_list); };
  // The starter's greeting for BEAM nodes: GenServer.call({:greeter, node}, {:greet, "Torben"}).
  service_actor greeter{greeter_name,
                        [](caf::actor_system& sys, const node_services&) { return spawn_greeter(sys); }};
  greeter.beam = true;
  hello.actors.push_back(std::move(greeter));
  return hello;
}

} // namespace plugnode::app
