#include "plugnode/plugs/endpoint.hpp"

#include <caf/actor_system.hpp>
#include <caf/atom.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>

#include "plugnode/plugs/error_handler.hpp"
#include "plugnode/plugs/head.hpp"
#include "plugnode/plugs/request_id.hpp"
#include "plugnode/runtime/log.hpp"
#include "tuned_server.hpp"

namespace plugnode::plugs {
namespace {

using clock = std::chrono::steady_clock;

void fill_request(conn& c, const httplib::Request& req) {
  for (const auto& [name, value] : req.headers)
    c.req_headers.emplace(lower_case(name), value);
  c.host = c.get_req_header("host").value_or(req.local_addr);
  if (auto colon = c.host.rfind(':');
      colon != std::string::npos && c.host.find(']', colon) == std::string::npos)
    c.host.resize(colon);
  c.port = static_cast<std::uint16_t>(req.local_port);
  c.body = req.body;
  c.remote_ip = req.remote_addr;
}

void write_response(conn& c, httplib::Response& res) {
  res.status = c.status;
  for (auto& [name, value] : c.resp_headers)
    if (name != "content-type" && name != "content-length")
      res.headers.emplace(name, value);
  auto type = c.get_resp_header("content-type");
  // For HEAD, cpp-httplib sends the headers (Content-Length of this body included) and leaves the body out.
  res.set_content(c.resp_body, type ? type->c_str() : "text/plain; charset=utf-8");
}

// What every pipeline ends with, whatever it did: a sent response.
void finish(conn& c) {
  if (c.state == conn::resp_state::set)
    c.send_resp();
  else if (c.state == conn::resp_state::unset)
    fail_request(c, 500, "the pipeline returned without a response");
}

} // namespace

struct endpoint::impl {
  impl(caf::actor_system& sys, endpoint_options opts, plug app)
      : system(&sys), options(std::move(opts)), pipeline(error_handler(std::move(app))),
        server(connection_limits{options.keep_alive_max_requests, options.keep_alive_timeout,
                                 options.read_timeout, options.write_timeout, options.max_header_bytes}) {}

  caf::actor_system* system;
  endpoint_options options;
  plug pipeline; // the application's plug behind error handling
  tuned_server server;
  int bound_port = 0;
  std::mutex mutex;
  std::condition_variable served;
  bool serving = false;
  bool stop_requested = false;

  void run_inline(conn& c) const;
  void run_spawned(conn& c) const;
  httplib::Server::HandlerResponse handle(const httplib::Request& req, httplib::Response& res);
};

// The worker thread's request actor (worker_actor mode). Threads belong to one server, hence one system.
thread_local std::unique_ptr<caf::scoped_actor> worker_self;

// The request's actor is a blocking actor on this worker thread: plugs ask other actors through it (ask.hpp),
// and a request that could have left it in a bad state (a 5xx, messages still in its mailbox, such as an
// answer that came after its timeout) retires it, so the next request never sees another's leftovers.
void endpoint::impl::run_inline(conn& c) const {
  std::unique_ptr<caf::scoped_actor> fresh;
  auto& slot = options.mode == isolation::worker_actor ? worker_self : fresh;
  // An answer can arrive after its ask timed out, between two requests: that actor retires too.
  if (!slot || !(*slot)->mailbox().empty())
    slot = std::make_unique<caf::scoped_actor>(*system);
  auto* self = slot->ptr();
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
    slot.reset();
}

// The worker waits for the spawned actor until the deadline. On time-out the actor keeps running (no thread
// can be stopped from outside), but the client has its 503 and the request's conn belongs to the actor alone.
void endpoint::impl::run_spawned(conn& c) const {
  auto job = std::make_shared<conn>(c);
  // The actor holds the plug and the conn itself: it may outlive this request, even the endpoint. They go in
  // as spawn arguments: CAF 0.17 dereferences a null pointer for a function actor without arguments.
  auto worker = system->spawn(
      [](caf::event_based_actor* self, const std::shared_ptr<conn>& request,
         const plug& app) -> caf::behavior {
        return {[request, app, self](caf::get_atom) {
          app.call(*request);
          finish(*request);
          self->quit();
          return caf::ok_atom::value;
        }};
      },
      job, pipeline);
  caf::scoped_actor waiter{*system};
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(c.deadline - clock::now());
  waiter->request(worker, left, caf::get_atom::value)
      .receive([&](caf::ok_atom) { c = std::move(*job); },
               [&](caf::error& e) {
                 bool late = e == caf::sec::request_timeout;
                 fail_request(c, late ? 503 : 500,
                              late ? "no answer within the deadline"
                                   : "request actor died: " + system->render(e));
               });
}

httplib::Server::HandlerResponse endpoint::impl::handle(const httplib::Request& req, httplib::Response& res) {
  std::optional<conn> made; // built in place: a conn is costly to move and destroy at this rate
  try {
    made.emplace(make_conn(req.method, req.target));
  } catch (const bad_request& e) {
    res.status = 400;
    res.set_content(std::string("Bad Request: ") + e.what() + "\n", "text/plain; charset=utf-8");
    return httplib::Server::HandlerResponse::Handled;
  }
  conn& c = *made;
  fill_request(c, req);
  c.system = system;
  c.deadline = clock::now() + options.deadline;
  if (options.mode == isolation::spawned_actor) {
    run_spawned(c);
  } else {
    server.arm(c.deadline, c.method == "HEAD");
    run_inline(c);
    // When the watch already answered, this response goes nowhere: the connection refuses it and closes.
    server.disarm();
  }
  write_response(c, res);
  return httplib::Server::HandlerResponse::Handled;
}

endpoint::endpoint(caf::actor_system& system, endpoint_options options, plug_fn plug)
    : impl_(std::make_unique<impl>(system, std::move(options), std::move(plug))) {
  const auto& opts = impl_->options;
  auto& server = impl_->server;
  // Exclusive bind: cpp-httplib's default options add SO_REUSEPORT, with which a second process silently
  // shares the port and takes half the traffic.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_tcp_nodelay(true);
  // A tenth of the deadline, within 1-100 ms: precise enough for any deadline, and at most ten idle
  // wake-ups a second.
  if (opts.mode != isolation::spawned_actor)
    server.watch_deadlines(
        std::clamp(opts.deadline / 10, std::chrono::milliseconds(1), std::chrono::milliseconds(100)));
  auto workers = opts.workers;
  server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server.set_keep_alive_max_count(opts.keep_alive_max_requests);
  server.set_keep_alive_timeout(opts.keep_alive_timeout.count());
  server.set_read_timeout(opts.read_timeout);
  server.set_write_timeout(opts.write_timeout);
  server.set_payload_max_length(opts.max_body);
  // Nothing should reach it (handle() catches), but without it cpp-httplib would put e.what() in a header.
  server.set_exception_handler(
      [](const httplib::Request&, httplib::Response& res, const std::exception_ptr&) {
        res.status = 500;
        res.set_content("Internal Server Error\n", "text/plain; charset=utf-8");
      });
  // cpp-httplib reads a request's body only after its pre-routing handler: requests without a body take that
  // short way (no regex matching), the others go through a catch-all route once their body is read (or
  // refused with 413 past max_body), so no unread body is ever left on a keep-alive connection.
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    if (req.has_header("Transfer-Encoding") ||
        (req.has_header("Content-Length") && req.get_header_value("Content-Length") != "0"))
      return httplib::Server::HandlerResponse::Unhandled;
    return impl_->handle(req, res);
  });
  auto with_body = [this](const httplib::Request& req, httplib::Response& res) { impl_->handle(req, res); };
  const std::string anything = "[\\s\\S]*";
  server.Get(anything, with_body).Post(anything, with_body).Put(anything, with_body);
  server.Patch(anything, with_body).Delete(anything, with_body).Options(anything, with_body);
}

endpoint::~endpoint() {
  stop();
}

void endpoint::bind() {
  auto& opts = impl_->options;
  bool ok = opts.port == 0 ? (impl_->bound_port = impl_->server.bind_to_any_port(opts.address)) > 0
                           : impl_->server.bind_to_port(opts.address, opts.port);
  if (!ok)
    throw std::runtime_error("cannot listen on " + opts.address + ":" + std::to_string(opts.port) +
                             " (address in use or not available)");
  impl_->server.raise_backlog(opts.backlog);
  if (opts.port != 0)
    impl_->bound_port = opts.port;
}

void endpoint::serve() {
  {
    std::lock_guard lock(impl_->mutex);
    if (impl_->stop_requested)
      return;
    impl_->serving = true;
  }
  impl_->server.listen_after_bind();
  std::lock_guard lock(impl_->mutex);
  impl_->serving = false;
  impl_->served.notify_all();
}

// A stop that arrives between serve()'s start and the server's running flag would otherwise be lost, so it
// waits (briefly) for the server it is stopping to be running.
bool endpoint::stop() {
  std::unique_lock lock(impl_->mutex);
  impl_->stop_requested = true;
  if (!impl_->serving)
    return true;
  auto deadline = clock::now() + impl_->options.stop_timeout;
  for (int i = 0; i < 1000 && !impl_->server.is_running(); ++i)
    impl_->served.wait_for(lock, std::chrono::milliseconds(1));
  impl_->server.stop();
  bool done = impl_->served.wait_until(lock, deadline, [this] { return !impl_->serving; });
  if (!done)
    runtime::logger().warn("http endpoint: requests still running {} ms after stop",
                           impl_->options.stop_timeout.count());
  return done;
}

std::uint16_t endpoint::port() const {
  return static_cast<std::uint16_t>(impl_->bound_port);
}

} // namespace plugnode::plugs
