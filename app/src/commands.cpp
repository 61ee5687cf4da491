// The command line of a service (run_service of service.hpp): Distillery's release commands on CLI11, every
// configuration setting as a flag of every command (flags win over the environment), usage on stderr and exit
// 2 for anything unknown.
#include "plugnode/app/service.hpp"

#include <signal.h>

#include <CLI/CLI.hpp>

#include <iostream>

#include "plugnode/app/config.hpp"
#include "plugnode/app/describe.hpp"
#include "plugnode/app/node_main.hpp"
#include "plugnode/app/remote.hpp"

namespace plugnode::app {
namespace {

constexpr int exit_usage = 2;

} // namespace

int run_service(const service& app, int argc, char** argv) {
  // A peer that closes its socket must fail that one write (EPIPE), never end the process, in every command
  // (the node, and the rpc/remote_console/ping clients) and whatever library the write comes from. The
  // node's own writes also pass MSG_NOSIGNAL, for programs that use the runtime without this main.
  ::signal(SIGPIPE, SIG_IGN);
  CLI::App cli{app.name + ": " + app.summary, app.name};
  cli.require_subcommand(1);
  config_flags flags;
  auto add_setting = [&cli, &flags](const std::string& flag, const std::string& env,
                                    const std::string& help) {
    cli.add_option_function<std::string>(
           flag, [&flags, env](const std::string& value) { flags[env] = value; }, help + " [env " + env + "]")
        ->type_name("");
  };
  for (const auto& s : settings()) {
    std::string help = s.help;
    // The node's default name is the service's: `counter@host`.
    if (auto at = help.find("plugnode@"); at != std::string::npos)
      help.replace(at, 8, app.name);
    add_setting(s.flag, s.env, help);
  }
  for (const auto& s : app.settings)
    add_setting(s.flag, s.env,
                s.default_value.empty() ? s.help : s.help + " (default " + s.default_value + ")");
  auto add = [&cli](const char* name, const char* help) {
    return cli.add_subcommand(name, help)->fallthrough();
  };
  auto* foreground = add("foreground", "run the node, logging to stdout (the container's command)");
  auto* console = add("console", "run the node with an interactive shell on it");
  auto* remote_console = add("remote_console", "attach a shell to the running node (as a hidden node)");
  auto* rpc = add("rpc", "run one shell command on the running node and print the answer");
  std::string rpc_line;
  rpc->add_option("COMMAND", rpc_line, "a shell command, e.g. \"nodes\" or 'Node.ping(:\"app@host\")'")
      ->required();
  auto* ping = add("ping", "pong and exit 0 when the node answers, pang and exit 1 otherwise");
  auto* stop = add("stop", "stop the running node gracefully");
  auto* pid = add("pid", "print the running node's process id");
  auto* describe_cmd = add("describe", "print the effective configuration (never the cookie)");
  auto* version = add("version", "print the version");
  auto* help = add("help", "print this help");
  try {
    cli.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return cli.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return cli.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << app.name << ": " << e.what() << "\n" << cli.help();
    return exit_usage;
  }
  if (*version) {
    std::cout << app.name << " " << service_version(app) << "\n";
    return 0;
  }
  if (*help) {
    // cli.help() would describe the selected subcommand, `help` itself: format the top level instead.
    std::cout << cli.get_formatter()->make_help(&cli, app.name, CLI::AppFormatMode::Normal);
    return 0;
  }
  config cfg;
  try {
    cfg = load_config(flags, process_env(), app.name);
    load_service_settings(cfg, app.settings, flags, process_env());
  } catch (const config_error& e) {
    std::cerr << app.name << ": " << e.what() << "\n";
    return exit_usage;
  }
  if (*describe_cmd) {
    std::cout << describe(cfg, service_version(app));
    return 0;
  }
  if (*foreground || *console)
    return run_node(cfg, *console ? node_mode::console : node_mode::foreground, app);
  if (*remote_console)
    return run_remote_console(cfg, app.name);
  if (*rpc)
    return run_rpc(cfg, rpc_line, app.name);
  if (*ping)
    return run_ping(cfg, app.name);
  if (*stop)
    return run_rpc(cfg, "stop", app.name);
  if (*pid)
    return run_rpc(cfg, "pid", app.name);
  return exit_usage;
}

} // namespace plugnode::app
