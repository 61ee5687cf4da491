// The commands of remote.hpp: a hidden client node that joins the target node with the cookie, finds its
// shell service and sends it lines.
#include "plugnode/app/remote.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <future>
#include <iostream>
#include <memory>
#include <optional>

#include "plugnode/app/line_reader.hpp"
#include "plugnode/app/node_wiring.hpp"
#include "plugnode/app/registered_names.hpp"
#include "plugnode/app/shell_command.hpp"
#include "plugnode/app/shell_service.hpp"
#include "plugnode/runtime/error_text.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/node.hpp"
#include "plugnode/runtime/remote_call.hpp"

namespace plugnode::app {
namespace {

constexpr int exit_failure = 1;
constexpr std::chrono::milliseconds join_timeout{5000};

// A hidden node joined to the target, and the target's shell service.
struct session {
  std::unique_ptr<runtime::node> client;
  caf::actor shell;
};

// Joins the node named by the configuration; on failure returns nullptr and sets `error` to one line.
std::unique_ptr<session> join(const config& cfg, std::string& error) {
  // The client node's own log lines (connects, handshakes) would mix with the answers a script reads:
  // silent unless asked for with LOG_LEVEL=debug or trace.
  auto logging = cfg.log;
  if (logging.level > spdlog::level::debug)
    logging.level = spdlog::level::off;
  runtime::configure_logging(logging);
  auto target = cfg.node.to_string();
  if (cfg.cookie.empty()) {
    error = "no cookie to join " + target + " with: set PLUGNODE_COOKIE, PLUGNODE_COOKIE_FILE or --cookie";
    return nullptr;
  }
  auto options = runtime::hidden_client_options(cfg.dist_port, cfg.cookie);
  options.tls = cfg.tls;
  options.failure_bound = cfg.failure_bound;
  options.resolver = peer_host_resolver(cfg);
  auto s = std::make_unique<session>();
  s->client = std::make_unique<runtime::node>(options);
  if (auto why = s->client->start()) {
    error = *why;
    return nullptr;
  }
  auto& system = s->client->system();
  auto agent = s->client->remote_agent(target, join_timeout);
  if (!agent) {
    error = "cannot join " + target + ": " + runtime::error_text(agent.error());
    return nullptr;
  }
  // The target's own agent answers for its registry: one request, no second look-up through this node.
  caf::scoped_actor self{system};
  auto shell = runtime::ask<caf::actor>(*self.ptr(), *agent, join_timeout, runtime::whereis_atom_v,
                                        std::string(shell_name));
  if (!shell) {
    error = "no shell service on " + target + ": " + runtime::error_text(shell.error());
    return nullptr;
  }
  s->shell = *shell;
  return s;
}

struct reply {
  bool ok = false;
  std::string text;
  std::string lost; // set when the node did not answer at all
};

// Sends one line and waits for the answer, or for the node to go away: the request runs in an actor that
// monitors the shell service, so a node killed mid-command ends the wait at once, not at the timeout.
void send_line_actor(caf::event_based_actor* self, const std::shared_ptr<std::promise<reply>>& result,
                     const caf::actor& shell, const std::string& line) {
  self->monitor(shell);
  self->set_down_handler([result, self](caf::down_msg& down) {
    result->set_value({false, {}, "the node went away (" + self->system().render(down.reason) + ")"});
    self->quit();
  });
  self->request(shell, shell_answer_timeout, shell_atom_v, line)
      .then(
          [result, self](bool ok, std::string& text) {
            result->set_value({ok, std::move(text), {}});
            self->quit();
          },
          [result, self](caf::error& e) {
            result->set_value({false, {}, self->system().render(e)});
            self->quit();
          });
}

reply send_line(session& s, const std::string& line) {
  // Refused here as the node would refuse it, without sending a megabyte to be told so.
  if (auto refusal = too_long_refusal(line))
    return {false, *refusal, {}};
  auto result = std::make_shared<std::promise<reply>>();
  auto answered = result->get_future();
  // Arguments, not captures: CAF 0.17 dereferences a null argument tuple for an actor that takes none.
  s.client->system().spawn(send_line_actor, result, s.shell, line);
  return answered.get();
}

// Ends the shell when the node goes away while the operator sits at the prompt (a blocking read no answer
// can interrupt): restores the terminal libedit put in raw mode, says why, and exits 1. A loss during a
// command is reported by send_line instead, so the watchdog stands down while a command runs.
struct prompt_watch {
  std::atomic<bool> at_prompt{false};
  std::optional<termios> terminal;
  std::string target;
  std::string program;
};

// Polls the client agent's hidden connections: the target's events are not delivered to monitor_nodes
// subscribers (a hidden connection, as in Erlang without {node_type, all}).
caf::behavior watch_node_actor(caf::event_based_actor* self, const std::shared_ptr<prompt_watch>& watch,
                               const caf::actor& agent) {
  constexpr auto every = std::chrono::milliseconds(300);
  self->delayed_send(self, every, caf::tick_atom_v);
  return {
      [=](caf::tick_atom) {
        self->request(agent, std::chrono::seconds(2), runtime::nodes_atom_v, runtime::hidden_atom_v)
            .then([=](const std::vector<std::string>& hidden) {
              if (watch->at_prompt &&
                  std::find(hidden.begin(), hidden.end(), watch->target) == hidden.end()) {
                if (watch->terminal)
                  ::tcsetattr(STDIN_FILENO, TCSANOW, &*watch->terminal);
                std::cerr << "\n"
                          << watch->program << ": lost the connection to " << watch->target << std::endl;
                runtime::logger().flush(); // the log is buffered, and _Exit skips stdio's own flush
                std::_Exit(exit_failure);
              }
              self->delayed_send(self, every, caf::tick_atom_v);
            });
      },
  };
}

} // namespace

int run_remote_console(const config& cfg, const std::string& program) {
  std::string error;
  auto s = join(cfg, error);
  if (!s) {
    std::cerr << program << ": " << error << "\n";
    return exit_failure;
  }
  auto target = cfg.node.to_string();
  line_reader input(target + "> ");
  if (input.interactive())
    std::cout << "Connected to " << target
              << " as a hidden node. Type help for the commands, quit to leave.\n";
  auto watch = std::make_shared<prompt_watch>();
  watch->target = target;
  watch->program = program;
  if (termios saved{}; input.interactive() && ::tcgetattr(STDIN_FILENO, &saved) == 0)
    watch->terminal = saved;
  auto watcher = s->client->system().spawn(watch_node_actor, watch, s->client->agent());
  // A live actor would keep the actor system's destructor waiting.
  std::shared_ptr<void> stop_watching(
      nullptr, [&watcher](void*) { caf::anon_send_exit(watcher, caf::exit_reason::user_shutdown); });
  while (true) {
    watch->at_prompt = true;
    auto line = input.next();
    watch->at_prompt = false;
    if (!line || leaves_shell(*line))
      break;
    auto answer = send_line(*s, *line);
    if (!answer.lost.empty()) {
      std::cerr << "plugnode: lost the connection to " << target << ": " << answer.lost << "\n";
      return exit_failure;
    }
    std::cout << answer.text << std::flush;
  }
  return 0;
}

int run_rpc(const config& cfg, const std::string& line, const std::string& program) {
  std::string error;
  auto s = join(cfg, error);
  if (!s) {
    std::cerr << program << ": " << error << "\n";
    return exit_failure;
  }
  auto answer = send_line(*s, line);
  if (!answer.lost.empty()) {
    std::cerr << program << ": " << cfg.node.to_string() << " did not answer: " << answer.lost << "\n";
    return exit_failure;
  }
  (answer.ok ? std::cout : std::cerr) << answer.text << std::flush;
  return answer.ok ? 0 : exit_failure;
}

int run_ping(const config& cfg, const std::string& program) {
  std::string error;
  if (!join(cfg, error)) {
    std::cout << "pang\n";
    std::cerr << program << ": " << error << "\n";
    return exit_failure;
  }
  std::cout << "pong\n";
  return 0;
}

} // namespace plugnode::app
