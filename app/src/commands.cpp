#include "plugnode/app/commands.hpp"

#include <CLI/CLI.hpp>
#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <signal.h>

#include <iostream>
#include <thread>

#include "plugnode/app/config.hpp"
#include "plugnode/app/hello_routes.hpp"
#include "plugnode/plugs/endpoint.hpp"

namespace plugnode::app {
namespace {

constexpr int exit_runtime_error = 1;
constexpr int exit_usage = 2;

// Blocks SIGINT and SIGTERM in every thread (threads started later inherit the mask), then waits for one.
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

private:
  sigset_t set_;
};

int foreground(const config& cfg) {
  runtime::configure_logging(cfg.log);
  shutdown_signals signals;
  caf::actor_system_config actor_config;
  caf::actor_system system{actor_config};
  plugs::endpoint http(system, {cfg.http_addr, cfg.http_port}, hello_routes);
  try {
    http.bind();
  } catch (const std::exception& e) {
    spdlog::error("{}", e.what());
    return exit_runtime_error;
  }
  std::thread server([&http] { http.serve(); });
  spdlog::info("plugnode {} listening on http://{}:{}", PLUGNODE_VERSION, cfg.http_addr, cfg.http_port);
  int sig = signals.wait();
  spdlog::info("received {}, stopping", sig == SIGTERM ? "SIGTERM" : "SIGINT");
  http.stop();
  server.join();
  spdlog::info("stopped");
  return 0;
}

} // namespace

int run_command_line(int argc, char** argv) {
  CLI::App cli{"plugnode: clustered HTTP services on CAF actors", "plugnode"};
  cli.require_subcommand(1);
  config_flags flags;
  cli.add_option("--http-port", flags.http_port, "HTTP port (env HTTP_PORT, default 4000)");
  cli.add_option("--http-addr", flags.http_addr,
                 "HTTP bind address (env PLUGNODE_HTTP_ADDR, default 0.0.0.0)");
  cli.add_option("--log-level", flags.log_level, "trace|debug|info|warn|error|off (env LOG_LEVEL)");
  cli.add_option("--log-format", flags.log_format, "text|json (env LOG_FORMAT)");
  auto* fg =
      cli.add_subcommand("foreground", "run the node in the foreground, logging to stdout")->fallthrough();
  auto* version = cli.add_subcommand("version", "print the version");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "plugnode: " << e.what() << "\n" << cli.help();
    return exit_usage;
  }
  if (*version) {
    std::cout << "plugnode " << PLUGNODE_VERSION << "\n";
    return 0;
  }
  config cfg;
  try {
    cfg = load_config(flags, process_env());
  } catch (const config_error& e) {
    std::cerr << "plugnode: " << e.what() << "\n";
    return exit_usage;
  }
  if (*fg)
    return foreground(cfg);
  return exit_usage;
}

} // namespace plugnode::app
