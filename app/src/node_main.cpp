// A running node (node_main.hpp): the wiring of every layer, and the orderly stop on a signal.
#include "plugnode/app/node_main.hpp"

#include <signal.h>
#include <unistd.h>

#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <prometheus/registry.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <iostream>
#include <thread>
#include <vector>

#include "plugnode/app/admin_routes.hpp"
#include "plugnode/app/dashboard_snapshot.hpp"
#include "plugnode/app/line_reader.hpp"
#include "plugnode/app/node_routes.hpp"
#include "plugnode/app/node_wiring.hpp"
#include "plugnode/app/open_files.hpp"
#include "plugnode/app/registered_names.hpp"
#include "plugnode/app/shell_service.hpp"
#include "plugnode/plugs/endpoint.hpp"
#include "plugnode/runtime/node.hpp"
#include "plugnode/runtime/remote_call.hpp"
#include "systemd_notify.hpp"

namespace plugnode::app {
namespace {

constexpr int exit_runtime_error = 1;
constexpr std::size_t admin_workers = 8;
constexpr std::size_t admin_body_limit = 64 * 1024;

// Blocks SIGINT and SIGTERM in every thread (threads started later inherit the mask), then waits for one.
// Shutdown so runs in ordinary code, not in a signal handler; `stop` and the console end the same way. Made
// before the process starts any thread: the kernel hands a process's signal to any thread that does not block
// it, and one started earlier (spdlog's flusher, started by configure_logging, did) took every SIGTERM that
// came while the main thread was not yet in wait(), during start-up, and its default action ended the node
// with status 143 instead of the orderly stop.
class shutdown_signals {
public:
  shutdown_signals() {
    sigemptyset(&set_);
    sigaddset(&set_, SIGINT);
    sigaddset(&set_, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set_, nullptr);
  }
  int wait() const {
    int sig = 0;
    sigwait(&set_, &sig);
    return sig;
  }
  // Starts the same graceful stop a SIGTERM from outside does.
  static void request_stop() { ::kill(::getpid(), SIGTERM); }

private:
  sigset_t set_;
};

// `console`: the shell on this node's own stdin; its end (or `quit`) stops the node.
void console_loop(caf::actor_system& system, const caf::actor& shell, const std::string& node) {
  line_reader input(node + "> ");
  caf::scoped_actor self{system};
  while (auto line = input.next()) {
    if (leaves_shell(*line))
      break;
    self->request(shell, shell_answer_timeout, shell_atom_v, *line)
        .receive([](bool, const std::string& text) { std::cout << text << std::flush; },
                 [&](caf::error& e) { std::cout << "error: " << system.render(e) << "\n"
                                                << std::flush; });
  }
  shutdown_signals::request_stop();
}

// The supervised services (discovery, checker, shell, then the application's actors) are stopped through
// their supervisor and waited for while the node agent and CAF's middleman still run, so that their ends are
// over before the node tears the actor system down.
void stop_services(caf::actor_system& system, const caf::actor& supervisor, const service& app) {
  caf::scoped_actor self{system};
  std::vector<caf::actor> services{supervisor};
  std::vector<std::string> names{discovery_name, checker_name, shell_name};
  for (const auto& actor : app.actors)
    names.push_back(actor.name);
  for (const auto& name : names)
    self->request(supervisor, std::chrono::seconds(1), caf::get_atom_v, name)
        .receive([&](const caf::actor& child) { services.push_back(child); }, [](const caf::error&) {});
  for (const auto& service : services)
    self->monitor(service);
  self->send_exit(supervisor, caf::exit_reason::user_shutdown);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  for (std::size_t down = 0; down < services.size();) {
    auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    self->receive([&](const caf::down_msg&) { ++down; },
                  caf::after(std::max(left, std::chrono::milliseconds(0))) >>
                      [&] { down = services.size(); });
  }
}

// The node's registered names the dashboard lists: its own services, then the application's actors.
std::vector<std::string> registered_actor_names(const service& app) {
  std::vector<std::string> names{discovery_name, checker_name, shell_name, erlang_rpc_name, types_name};
  for (const auto& actor : app.actors)
    names.push_back(actor.name);
  return names;
}

// The admin listener: another endpoint of the same server with the public one's limits (connections,
// clocks, head size: a hostile client meets the same budgets there), fewer workers and smaller bodies,
// serving the dashboard.
// Bound before the public port opens, so that a node whose admin port is taken stops at start-up instead of
// running without it.
struct admin_listener {
  std::shared_ptr<dashboard_snapshot> snapshot;
  std::unique_ptr<plugs::endpoint> http;
  std::thread server;

  void stop() {
    if (!http)
      return;
    http->stop();
    server.join();
    snapshot->stop();
  }
};

} // namespace

int run_node(const config& cfg, node_mode mode, const service& app) {
  shutdown_signals signals; // first: before configure_logging starts a thread
  runtime::configure_logging(cfg.log);
  for (const auto& warning : cfg.cookie_warnings)
    spdlog::warn("{}", warning);
  // Declared before the node, so it outlives the actors that update it.
  auto registry = std::make_shared<prometheus::Registry>();
  runtime::node node(node_options_of(cfg, app));
  if (auto error = node.start()) {
    spdlog::error("{}", *error);
    return exit_runtime_error;
  }
  auto& system = node.system();
  // A little later, so the answer to `stop` reaches the remote shell before the node leaves.
  auto wiring = wire_node(
      node, cfg, registry,
      [] {
        std::thread([] {
          std::this_thread::sleep_for(std::chrono::milliseconds(200));
          shutdown_signals::request_stop();
        }).detach();
      },
      app);
  auto& services = wiring.services;
  auto supervisor = wiring.supervisor;

  auto open_files = raise_open_files_limit();
  plugs::endpoint_options http_options;
  http_options.address = cfg.http_addr;
  http_options.port = cfg.http_port;
  http_options.deadline = cfg.http_deadline;
  http_options.workers = cfg.http_workers;
  http_options.loops = cfg.http_loops;
  http_options.max_connections = connection_cap(cfg.http_max_connections, open_files);
  http_options.head_timeout = cfg.http_head_timeout;
  http_options.idle_timeout = cfg.http_idle_timeout;
  http_options.body_buffer = static_cast<std::size_t>(cfg.http_body_buffer);
  http_options.body_min_rate = static_cast<std::size_t>(cfg.http_body_min_rate);
  http_options.body_buffer_per_address = static_cast<std::size_t>(cfg.http_body_buffer_per_address);
  http_options.body_spool = static_cast<std::size_t>(cfg.http_body_spool);
  http_options.body_spool_dir = cfg.http_body_spool_dir;
  http_options.body_disk = static_cast<std::size_t>(cfg.http_body_disk);
  if (http_options.max_connections < cfg.http_max_connections)
    spdlog::log(cfg.http_max_connections == config{}.http_max_connections ? spdlog::level::info
                                                                          : spdlog::level::warn,
                "http: at most {} connections, not {}: the open-files limit is {} ({} kept for the rest)",
                http_options.max_connections, cfg.http_max_connections, open_files, reserved_descriptors);
  plugs::endpoint http(system, http_options,
                       node_pipeline(services, app, cfg.admin.routes == operator_routes::public_port));
  services.metrics.collect_also(http.connection_metrics());
  admin_listener admin;
  try {
    if (cfg.admin.port) {
      auto admin_options = http_options;
      admin_options.address = cfg.admin.addr;
      admin_options.port = *cfg.admin.port;
      // Its requests are a few page loads and streams, which hold no worker while they wait, and no route
      // of it takes a body: its share of the node's memory stays small.
      admin_options.workers = std::min<std::size_t>(http_options.workers, admin_workers);
      admin_options.loops = 1;
      admin_options.max_body = admin_body_limit;
      admin_options.body_buffer = admin_body_limit * 16;
      admin.snapshot = std::make_shared<dashboard_snapshot>(
          snapshot_source{&node, services, service_version(app), registered_actor_names(app)});
      admin.http = std::make_unique<plugs::endpoint>(
          system, admin_options, admin_pipeline(services, admin.snapshot, cfg.admin.token));
      admin.http->bind();
    }
    http.bind();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    caf::anon_send_exit(supervisor, caf::exit_reason::user_shutdown);
    return exit_runtime_error;
  }
  if (admin.http) {
    admin.server = std::thread([&admin] { admin.http->serve(); });
    spdlog::info("admin listener (the dashboard) on http://{}:{}{}", cfg.admin.addr, admin.http->port(),
                 cfg.admin.token.empty() ? "" : ", token required");
  }
  std::thread server([&http] { http.serve(); });
  services.listening->store(true);
  spdlog::info("{} {} node {} listening on http://{}:{} (up to {} connections, open-files limit {}, listen "
               "queue {} from net.core.somaxconn){}",
               app.name, service_version(app), services.node, cfg.http_addr, http.port(),
               http_options.max_connections, open_files, http.backlog(),
               node.bind_address().empty()
                   ? ""
                   : fmt::format(", distribution {}:{}", node.bind_address(), node.port()));
  notify_ready(fmt::format("serving http://{}:{} as {}", cfg.http_addr, http.port(), services.node));
  std::thread console;
  auto console_done = std::make_shared<std::atomic<bool>>(false);
  if (mode == node_mode::console)
    console = std::thread([&system, &node, &services, console_done] {
      {
        caf::scoped_actor self{system};
        // The supervisor registers the shell service just after start: ask until it is there.
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        auto local_shell = runtime::whereis(self, node.agent(), shell_name, services.node, ask_timeout);
        while (!local_shell && std::chrono::steady_clock::now() < deadline) {
          std::this_thread::sleep_for(std::chrono::milliseconds(10));
          local_shell = runtime::whereis(self, node.agent(), shell_name, services.node, ask_timeout);
        }
        if (local_shell)
          console_loop(system, *local_shell, services.node);
        else
          shutdown_signals::request_stop();
      }
      console_done->store(true);
    });

  int sig = signals.wait();
  spdlog::info("received {}, stopping: leaving the cluster, finishing requests in flight",
               sig == SIGTERM ? "SIGTERM" : "SIGINT");
  notify_stopping();
  services.listening->store(false);
  node.leave();
  http.stop();
  server.join();
  admin.stop();
  stop_services(system, supervisor, app);
  if (console.joinable() && !console_done->load()) {
    // The console still waits for a line from the terminal, holding an actor the system would wait for.
    spdlog::info("stopped");
    spdlog::shutdown();
    std::_Exit(0);
  }
  if (console.joinable())
    console.join();
  spdlog::info("stopped");
  return 0;
}

} // namespace plugnode::app
