#include "plugnode/plugs/endpoint.hpp"

#include <httplib.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <stdexcept>
#include <thread>

namespace plugnode::plugs {
namespace {

// cpp-httplib listens with a backlog of 5 and keeps its listening socket protected; a subclass reaches it to
// listen again with a real backlog, which removes listen-queue overflows and the 1 s SYN retry stalls.
class tuned_server : public httplib::Server {
public:
  void raise_backlog(int backlog) { ::listen(svr_sock_, backlog); }
};

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

conn conn_from(const httplib::Request& req) {
  conn c;
  c.method = req.method;
  auto question = req.target.find('?');
  c.path = req.target.substr(0, question);
  if (question != std::string::npos)
    c.query_string = req.target.substr(question + 1);
  for (const auto& [name, value] : req.headers)
    c.req_headers.emplace(lower(name), value);
  c.body = req.body;
  c.remote_ip = req.remote_addr;
  return c;
}

} // namespace

struct endpoint::impl {
  caf::actor_system* system = nullptr;
  endpoint_options options;
  plug_fn plug;
  tuned_server server;
  int bound_port = 0;
  std::atomic<bool> serving{false};
  std::atomic<bool> stop_requested{false};
};

endpoint::endpoint(caf::actor_system& system, endpoint_options options, plug_fn plug)
    : impl_(std::make_unique<impl>()) {
  impl_->system = &system;
  impl_->options = std::move(options);
  impl_->plug = std::move(plug);
  auto& server = impl_->server;
  // Exclusive bind: cpp-httplib's default options add SO_REUSEPORT, with which a second process silently
  // shares the port and takes half the traffic.
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_tcp_nodelay(true);
  auto workers = impl_->options.workers;
  server.new_task_queue = [workers] { return new httplib::ThreadPool(workers); };
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(5);
  server.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
    res.status = 500;
    res.set_content("Internal Server Error\n", "text/plain");
  });
  server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
    conn c = conn_from(req);
    impl_->plug(c);
    res.status = c.status == 0 ? 404 : c.status;
    for (auto& [name, value] : c.resp_headers)
      res.set_header(name.c_str(), value);
    auto type = c.resp_headers.find("content-type");
    res.set_content(std::move(c.resp_body),
                    type == c.resp_headers.end() ? "text/plain; charset=utf-8" : type->second.c_str());
    return httplib::Server::HandlerResponse::Handled;
  });
}

endpoint::~endpoint() {
  stop();
}

void endpoint::bind() {
  if (!impl_->server.bind_to_port(impl_->options.address, impl_->options.port))
    throw std::runtime_error("cannot listen on " + impl_->options.address + ":" +
                             std::to_string(impl_->options.port) + " (address in use or not available)");
  impl_->server.raise_backlog(impl_->options.backlog);
  impl_->bound_port = impl_->options.port;
}

void endpoint::serve() {
  impl_->serving = true;
  if (!impl_->stop_requested)
    impl_->server.listen_after_bind();
  impl_->serving = false;
}

// A stop that arrives between serve()'s start and the server's running flag would otherwise be lost, so it
// waits (briefly) for the server it is stopping to be running.
void endpoint::stop() {
  impl_->stop_requested = true;
  for (int i = 0; i < 1000 && impl_->serving; ++i) {
    if (impl_->server.is_running()) {
      impl_->server.stop();
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}

std::uint16_t endpoint::port() const {
  return static_cast<std::uint16_t>(impl_->bound_port);
}

} // namespace plugnode::plugs
