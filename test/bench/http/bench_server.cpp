// bench_server: the two HTTP servers the benchmark compares, answering "Hello, World!" on GET /:
//   bench_server bare PORT                  cpp-httplib alone, tuned as plugnode tunes it
//   bench_server plugnode PORT              plugnode's endpoint with request id, logger, metrics and router;
//                                           also POST /digest, answering a body's length and SHA-256 (the
//                                           body flood's uploaders check it), read with read_body in parts
// PLUGNODE_HTTP_WORKERS sets (b)'s worker threads (default 256), PLUGNODE_HTTP_LOOPS its event loops (default
// one per core); GET / never blocks and runs on the loops (BLOCKING=1: on the workers). Runs until
// SIGINT/SIGTERM. The logger logs at info (LOG_LEVEL) as text (LOG_FORMAT) to stdout, through the runtime's
// logging as a node does.
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <httplib.h>
#include <signal.h>
#include <sys/socket.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <thread>

#include "plugnode/plugs/endpoint.hpp"
#include "plugnode/plugs/logger.hpp"
#include "plugnode/plugs/metrics.hpp"
#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/read_body.hpp"
#include "plugnode/plugs/request_id.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/test/body_flood.hpp"

namespace {

const std::string hello = "Hello, World!";

// Blocked in every thread (threads inherit the mask), then waited for, so stop runs in ordinary code.
sigset_t stop_signals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

void wait_for_signal() {
  auto set = stop_signals();
  int sig = 0;
  sigwait(&set, &sig);
}

class backlog_server : public httplib::Server {
public:
  void raise_backlog(int backlog) { ::listen(svr_sock_, backlog); }
};

int serve_bare(int port) {
  backlog_server server;
  server.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  server.set_tcp_nodelay(true);
  server.new_task_queue = [] { return new httplib::ThreadPool(256); };
  server.set_keep_alive_max_count(1000);
  server.set_keep_alive_timeout(5);
  server.Get("/",
             [](const httplib::Request&, httplib::Response& res) { res.set_content(hello, "text/plain"); });
  if (!server.bind_to_port("127.0.0.1", port))
    return 1;
  server.raise_backlog(1024);
  std::thread t([&] { server.listen_after_bind(); });
  wait_for_signal();
  server.stop();
  t.join();
  return 0;
}

int serve_plugnode(int port) {
  plugnode::runtime::log_options log;
  if (const char* level = std::getenv("LOG_LEVEL"))
    log.level = plugnode::runtime::parse_log_level(level).value_or(log.level);
  if (const char* format = std::getenv("LOG_FORMAT"))
    log.format = plugnode::runtime::parse_log_format(format).value_or(log.format);
  plugnode::runtime::configure_logging(log);
  caf::actor_system_config cfg;
  caf::actor_system system{cfg};
  namespace plugs = plugnode::plugs;
  plugs::metrics metrics;
  plugs::router router;
  // Never blocks: served on the event loop that read it (BLOCKING=1 sends it to the workers, for comparison).
  plugs::plug hello_plug = [](plugs::conn& c) {
    c.put_resp_content_type("text/plain").send_resp(200, hello);
  };
  if (std::getenv("BLOCKING") == nullptr)
    hello_plug = plugs::non_blocking(hello_plug);
  router.get("/", hello_plug);
  router.post("/digest", [](plugs::conn& c) {
    c.send_resp(200, plugnode::test::streamed_digest(
                         [&c](std::string& part) { return plugs::read_body(c, part, 64 * 1024); }));
  });
  router.get("/metrics", [metrics](plugs::conn& c) {
    c.put_resp_content_type(plugs::metrics::content_type).send_resp(200, metrics.render());
  });
  plugs::endpoint_options options;
  options.address = "127.0.0.1";
  options.port = static_cast<std::uint16_t>(port);
  if (const char* workers = std::getenv("PLUGNODE_HTTP_WORKERS")) // as the node reads it, for experiments
    options.workers = static_cast<std::size_t>(std::stoul(workers));
  if (const char* loops = std::getenv("PLUGNODE_HTTP_LOOPS"))
    options.loops = static_cast<std::size_t>(std::stoul(loops));
  plugs::endpoint endpoint(system, options,
                           plugs::pipeline{plugs::request_id{}, plugs::logger{}, metrics, router});
  endpoint.bind();
  std::thread t([&] { endpoint.serve(); });
  wait_for_signal();
  endpoint.stop();
  t.join();
  return 0;
}

} // namespace

int main(int argc, char** argv) {
  auto signals = stop_signals();
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  std::string mode = argc > 2 ? argv[1] : "";
  if (mode == "bare")
    return serve_bare(std::stoi(argv[2]));
  if (mode == "plugnode")
    return serve_plugnode(std::stoi(argv[2]));
  std::cerr << "usage: bench_server bare|plugnode PORT\n";
  return 2;
}
