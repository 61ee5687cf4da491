// The admin listener's pipeline; see admin_routes.hpp.
#include "plugnode/app/admin_routes.hpp"

#include "dashboard_files.hpp"
#include "plugnode/app/admin_access.hpp"
#include "plugnode/plugs/head.hpp"
#include "plugnode/plugs/local_reply.hpp"
#include "plugnode/plugs/logger.hpp"
#include "plugnode/plugs/request_id.hpp"
#include "plugnode/plugs/response_stream.hpp"
#include "plugnode/plugs/router.hpp"
#include "stream_slots.hpp"

namespace plugnode::app {
namespace {

// Nothing but this origin: no script, style, image or connection elsewhere, and no framing by another page.
constexpr const char* page_policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' "
                                    "data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
                                    "frame-ancestors 'none'";

// Event streams in all and per client address (stream_slots.hpp).
constexpr std::size_t max_streams = 64;
constexpr std::size_t max_streams_per_address = 8;

std::string_view type_of(std::string_view name) {
  auto ends = [&](std::string_view ext) {
    return name.size() >= ext.size() && name.substr(name.size() - ext.size()) == ext;
  };
  if (ends(".html"))
    return "text/html; charset=utf-8";
  if (ends(".js"))
    return "text/javascript; charset=utf-8";
  if (ends(".css"))
    return "text/css; charset=utf-8";
  return "application/octet-stream";
}

void send_file(plugs::conn& c, std::string_view name) {
  auto file = dashboard_file(name);
  if (!file) {
    plugs::local_reply(c, 404);
    return;
  }
  c.put_resp_header("content-security-policy", page_policy)
      .put_resp_header("x-content-type-options", "nosniff")
      .put_resp_header("cache-control", "no-store")
      .put_resp_content_type(std::string(type_of(name)))
      .send_resp(200, std::string(file->bytes));
}

} // namespace

plugs::plug admin_pipeline(const node_services& services, std::shared_ptr<dashboard_snapshot> snapshot,
                           const std::string& token) {
  plugs::router router;
  router.get("/", [](plugs::conn& c) { send_file(c, "index.html"); });
  std::string prefix(dashboard_prefix);
  router.get(prefix + "/snapshot", [snapshot](plugs::conn& c) {
    c.put_resp_header("cache-control", "no-store")
        .put_resp_content_type("application/json")
        .send_resp(200, snapshot->latest() + "\n");
  });
  // Server-sent events: each snapshot as one `data:` line (the JSON has no newline), the newest at once. A
  // browser's EventSource reconnects `retry` ms after the stream breaks.
  auto slots = std::make_shared<stream_slots>(max_streams, max_streams_per_address);
  router.get(prefix + "/events", [snapshot, slots](plugs::conn& c) {
    if (slots->spent(c.remote_ip)) {
      plugs::local_reply(c, 503, "too many dashboard streams from this address");
      return;
    }
    c.put_resp_header("cache-control", "no-store").put_resp_content_type("text/event-stream");
    plugs::send_stream(
        c, 200, [snapshot, slots, from = c.remote_ip](std::shared_ptr<plugs::response_stream> stream) {
          // The same address may have opened others since the check above: the slot is taken only here.
          if (!slots->admit(from, stream)) {
            stream->close();
            return;
          }
          stream->send("retry: 1000\n\n");
          snapshot->subscribe(
              {[stream](const std::string& doc) { return stream->send("data: " + doc + "\n\n"); },
               [stream] { stream->close(); }});
        });
  });
  router.get(prefix + "/:file", [](plugs::conn& c) { send_file(c, c.path_params.at("file")); });
  add_cluster_routes(router, services);
  // The gate before the access log: a refused request is logged only through the log limiter.
  return plugs::pipeline{plugs::request_id{}, admin_access(token, services.metrics.registry()),
                         plugs::logger{}, plugs::head{}, std::move(router)};
}

} // namespace plugnode::app
