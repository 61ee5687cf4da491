#include "plugnode/plugs/endpoint.hpp"

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <optional>

#include "connection_metrics.hpp"
#include "http_server.hpp"
#include "plugnode/plugs/error_handler.hpp"
#include "plugnode/plugs/local_reply.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugnode::plugs {
namespace {

using clock = std::chrono::steady_clock;

// The host a request is for, without the port ("[::1]:4000" -> "[::1]").
std::string host_of(const std::string& authority, const std::string& fallback) {
  if (authority.empty())
    return fallback;
  auto colon = authority.rfind(':');
  if (colon == std::string::npos || authority.find(']', colon) != std::string::npos)
    return authority;
  return authority.substr(0, colon);
}

void write_response(conn& c, http_response& res) {
  res.status = c.status;
  bool typed = false;
  for (const auto& [name, value] : c.resp_headers) {
    // The connection layer frames the response itself.
    if (name == "content-length" || name == "date" || name == "transfer-encoding")
      continue;
    if (name == "connection") {
      res.close = res.close || value.find("close") != std::string::npos;
      continue;
    }
    typed = typed || name == "content-type";
    res.fields.append(name).append(": ").append(value).append("\r\n");
  }
  if (!typed)
    res.fields.append("content-type: text/plain; charset=utf-8\r\n");
  res.body = std::move(c.resp_body);
  res.open_stream = std::move(c.stream);
}

// What every pipeline ends with, whatever it did: a sent response.
void finish(conn& c) {
  if (c.state == conn::resp_state::set)
    c.send_resp();
  else if (c.state == conn::resp_state::unset)
    fail_request(c, 500, "the pipeline returned without a response");
}

// The thread's request actor. Loop and worker threads belong to one server, hence one actor system.
thread_local std::unique_ptr<caf::scoped_actor> worker_self;

} // namespace

struct endpoint::impl {
  impl(caf::actor_system& sys, endpoint_options opts, plug app)
      : system(&sys), options(std::move(opts)), pipeline(error_handler(std::move(app))),
        server(options, [this](http_request& r, const request_context& ctx,
                               http_response& res) { return handle(r, ctx, res); }),
        metrics(make_connection_metrics(server.stats())) {}

  caf::actor_system* system;
  endpoint_options options;
  plug pipeline; // the application's plug behind error handling: the one place it is wrapped
  http_server server;
  std::shared_ptr<const prometheus::Collectable> metrics;

  void run(conn& c) const;
  request_work handle(http_request& r, const request_context& ctx, http_response& res) const;
};

// The request's actor is a blocking actor on this thread (a worker's, or a loop's for a pipeline that never
// blocks): plugs ask other actors through it
// (runtime's ask), and a request that could have left it in a bad state (a 5xx, messages still in its
// mailbox, such as an answer that came after its timeout) retires it, so the next request never sees
// another's leftovers.
void endpoint::impl::run(conn& c) const {
  if (!worker_self || !(*worker_self)->mailbox().empty())
    worker_self = std::make_unique<caf::scoped_actor>(*system);
  auto* self = worker_self->ptr();
  c.self = self;
  pipeline.call(c);
  c.self = nullptr;
  // A plug that ended its actor (fail_state) crashed the request as surely as one that threw.
  if (auto reason = static_cast<caf::local_actor*>(self)->fail_state())
    fail_request(c, 500, "request actor aborted: " + system->render(reason));
  finish(c);
  if (clock::now() > c.deadline) {
    conn late = make_conn(c.method, c.path);
    late.private_ = std::move(c.private_);
    late.resp_headers = std::move(c.resp_headers);
    fail_request(late, 503, "the pipeline answered after its deadline");
    c = std::move(late);
  }
  if (c.status >= 500 || !self->mailbox().empty())
    worker_self.reset();
}

// On the loop that read the request: its conn is built there, and the pipeline runs there too when none of
// the plugs it would meet may block; else the conn goes to a worker with the rest.
request_work endpoint::impl::handle(http_request& r, const request_context& ctx, http_response& res) const {
  std::optional<conn> made; // built in place: a conn is costly to move and destroy at this rate
  try {
    made.emplace(make_conn(std::move(r.method), r.target));
  } catch (const bad_request& e) {
    conn refused;
    local_reply(refused, 400, e.what());
    write_response(refused, res);
    return {};
  }
  conn& c = *made;
  c.req_headers = std::move(r.fields);
  c.host = host_of(r.host, options.address);
  c.port = ctx.local_port;
  c.body = std::move(r.body);
  c.spooled_body = std::move(r.spooled);
  c.remote_ip = ctx.remote_ip;
  c.system = system;
  c.deadline = r.deadline;
  if (pipeline.blocks({c.method, c.path_info})) {
    auto held = std::make_shared<conn>(std::move(c));
    return [this, held](http_request&, const request_context&, http_response& answer) {
      run(*held);
      write_response(*held, answer);
    };
  }
  run(c);
  write_response(c, res);
  return {};
}

endpoint::endpoint(caf::actor_system& system, endpoint_options options, plug app)
    : impl_(std::make_unique<impl>(system, std::move(options), std::move(app))) {}

endpoint::~endpoint() {
  stop();
}

void endpoint::bind() {
  impl_->server.bind();
}

void endpoint::serve() {
  impl_->server.serve();
}

bool endpoint::stop() {
  bool done = impl_->server.stop();
  if (!done)
    runtime::logger().warn("http endpoint: requests still running {} ms after stop",
                           impl_->options.stop_timeout.count());
  return done;
}

std::uint16_t endpoint::port() const {
  return impl_->server.port();
}

int endpoint::backlog() const {
  return impl_->server.backlog();
}

std::shared_ptr<const prometheus::Collectable> endpoint::connection_metrics() const {
  return impl_->metrics;
}

} // namespace plugnode::plugs
