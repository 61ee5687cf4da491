// cluster_test_node: one runtime node as a separate process for the cluster tests, driven over a loopback
// control port (one command per HTTP POST body, the answer in the response body), so tests exercise real
// processes, real sockets and real signals without depending on the plugnode binary.
//
//   cluster_test_node --name a@127.0.0.2 --port P --cookie C [--control-port Q] [--hidden] [--no-listen]
//       [--heartbeat MS] [--bound MS] [--connect-timeout MS] [--tls-cert F --tls-key F --tls-ca F]
//       [--supervise --max-restarts N --period MS] [--caf-defaults] [--dist-buffer BYTES]
// Commands: connect N | ping N | nodes | hidden | disconnect N | events | cluster | register NAME |
//           call NAME NODE TEXT | crash CHILD | child CHILD | raw N | leave | load, and for test/bench/dist
//           and the load tests: slow_sink NAME MICROS |
//           sink NAME | io_sink NAME | bench_connect N | bench_ping N COUNT | bench_send NAME N COUNT WINDOW
//           | bench_blast NAME N COUNT
//           and for the clustered-state tests (state_commands.hpp): pg_join GROUP N | pg_leave GROUP |
//           pg_exit GROUP | pg_members GROUP | pg_where GROUP | pg_local GROUP | pg_groups | ps_sub TOPIC N |
//           ps_nodes TOPIC | ps_pub TOPIC ID COUNT | ps_check | ps_stats | ent_inc N | ent_counts N |
//           ent_stats | ent_stream KEY ID COUNT | ent_seen KEY
#include <signal.h>
#include <unistd.h>

#include <httplib.h>

#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/middleman.hpp>

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/node.hpp"
#include "plugnode/runtime/remote_call.hpp"

#include "bench_commands.hpp"
#include "plugnode/test/exclusive_port.hpp"
#include "state_commands.hpp"

using namespace plugnode::runtime;
using std::chrono::milliseconds;

namespace {

struct driver_options {
  node_options node;
  std::uint16_t control_port = 0;
  bool supervise = false;
  std::size_t max_restarts = 3;
  milliseconds period{5000};
};

[[noreturn]] void usage(const std::string& what) {
  std::cerr << "cluster_test_node: " << what << "\n";
  std::exit(2);
}

driver_options parse(int argc, char** argv) {
  driver_options out;
  std::map<std::string, std::string> values;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (flag == "--hidden")
      out.node.hidden = true;
    else if (flag == "--no-listen")
      out.node.listen = false;
    else if (flag == "--supervise")
      out.supervise = true;
    else if (flag == "--caf-defaults")
      out.node.fast_scheduler = false;
    else if (i + 1 < argc)
      values[flag] = argv[++i];
    else
      usage("missing value for " + flag);
  }
  auto number = [&](const char* flag, long fallback) {
    auto i = values.find(flag);
    return i == values.end() ? fallback : std::stol(i->second);
  };
  std::string error;
  auto name = node_name::parse(values["--name"], &error);
  if (!name)
    usage("--name: " + error);
  out.node.name = *name;
  out.node.entity_types = {plugnode::test::counter_type(name->to_string()),
                           plugnode::test::sequence_type(name->to_string())};
  out.node.port = static_cast<std::uint16_t>(number("--port", 0));
  out.node.cookie = values["--cookie"];
  out.node.bind_address = values["--addr"];
  out.node.heartbeat_interval = milliseconds(number("--heartbeat", 200));
  out.node.failure_bound = milliseconds(number("--bound", 1500));
  out.node.connect_timeout = milliseconds(number("--connect-timeout", 2000));
  out.node.dist_buffer = static_cast<std::uint64_t>(number("--dist-buffer", 1024 * 1024));
  out.node.tls =
      tls_files{values["--tls-cert"], values["--tls-key"], values["--tls-ca"], values["--tls-passphrase"]};
  out.control_port = static_cast<std::uint16_t>(number("--control-port", 0));
  out.max_restarts = static_cast<std::size_t>(number("--max-restarts", 3));
  out.period = milliseconds(number("--period", 5000));
  return out;
}

// Collects nodeup/nodedown events in order, for the `events` command.
class event_log {
public:
  void add(std::string line) {
    std::lock_guard<std::mutex> guard(mutex_);
    lines_.push_back(std::move(line));
  }
  std::string text() {
    std::lock_guard<std::mutex> guard(mutex_);
    std::string out;
    for (auto& line : lines_)
      out += line + "\n";
    return out;
  }

private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
};

// Answers a text with the text between `prefix` and `suffix` (registered echoes, the supervised worker).
caf::behavior echo(caf::event_based_actor*, std::string prefix, std::string suffix) {
  return {[prefix, suffix](const std::string& text) { return prefix + text + suffix; }};
}

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (auto& item : items)
    out += (out.empty() ? "" : ",") + item;
  return out;
}

template <class T>
std::string ask(caf::scoped_actor& self, const caf::actor& agent, const std::function<std::string(T&)>& show,
                caf::message msg) {
  std::string out;
  self->request(agent, std::chrono::seconds(10), std::move(msg))
      .receive([&](T& value) { out = show(value); },
               [&](caf::error& err) { out = "error: " + self->system().render(err); });
  return out;
}

class driver {
public:
  driver(node& n, caf::actor supervisor, std::uint16_t peer_port)
      : node_(n), supervisor_(std::move(supervisor)), peer_port_(peer_port), state_(n) {}

  std::string run(const std::string& line) {
    std::istringstream in(line);
    std::string cmd, a, b, c;
    in >> cmd;
    if (state_.handles(cmd)) {
      std::vector<std::string> args;
      for (std::string arg; in >> arg;)
        args.push_back(arg);
      return state_.run(cmd, args);
    }
    in >> a >> b >> c;
    caf::scoped_actor self{node_.system()};
    auto& agent = node_.agent();
    auto yes_no = [](bool& ok) { return std::string(ok ? "true" : "false"); };
    auto names = [](std::vector<std::string>& xs) { return join(xs); };
    if (cmd == "connect")
      return ask<bool>(self, agent, yes_no, caf::make_message(caf::connect_atom_v, a));
    if (cmd == "ping")
      return ping(self, node_, a, std::chrono::seconds(10)) ? "pong" : "pang";
    if (cmd == "nodes")
      return ask<std::vector<std::string>>(self, agent, names, caf::make_message(nodes_atom_v));
    if (cmd == "hidden")
      return ask<std::vector<std::string>>(self, agent, names,
                                           caf::make_message(nodes_atom_v, hidden_atom_v));
    if (cmd == "disconnect")
      return ask<bool>(self, agent, yes_no, caf::make_message(disconnect_atom_v, a));
    if (cmd == "events")
      return events_.text();
    if (cmd == "cluster")
      return ask<std::vector<peer_info>>(
          self, agent,
          [](std::vector<peer_info>& peers) {
            std::string out;
            for (auto& p : peers)
              out += p.name + " rtt_us=" + std::to_string(p.rtt_us) +
                     " last_seen_ms=" + std::to_string(p.last_seen_ms) + (p.hidden ? " hidden" : "") + "\n";
            return out;
          },
          caf::make_message(cluster_atom_v));
    if (cmd == "register")
      return ask<bool>(self, agent, yes_no, caf::make_message(register_atom_v, a, spawn_echo()));
    if (cmd == "call") {
      auto reply = call<std::string>(self, agent, a, b, milliseconds(2000), c);
      return reply ? *reply : "error: " + node_.system().render(reply.error());
    }
    if (cmd == "crash" || cmd == "child")
      return child_command(self, cmd, a);
    if (cmd == "raw")
      return raw_request(self, a);
    if (cmd == "slow_sink") {
      auto sink = plugnode::bench::spawn_slow_sink(node_, std::stoi(b));
      echoes_.push_back(sink);
      return ask<bool>(self, agent, yes_no, caf::make_message(register_atom_v, a, sink));
    }
    if (cmd == "load")
      return load();
    if (cmd == "sink" || cmd == "io_sink") {
      auto sink = cmd == "sink" ? plugnode::bench::spawn_sink(node_) : plugnode::bench::spawn_io_sink(node_);
      echoes_.push_back(sink);
      return ask<bool>(self, agent, yes_no, caf::make_message(register_atom_v, a, sink));
    }
    if (cmd == "bench_connect")
      return plugnode::bench::time_connect(node_, a);
    if (cmd == "bench_ping")
      return plugnode::bench::time_pings(node_, a, std::stoi(b));
    if (cmd == "bench_send") {
      std::string window;
      in >> window;
      return plugnode::bench::time_sends(node_, a, b, std::stoi(c), std::stoi(window));
    }
    if (cmd == "bench_blast")
      return plugnode::bench::time_blast(node_, a, b, std::stoull(c));
    if (cmd == "leave") {
      ::kill(::getpid(), SIGTERM);
      return "ok";
    }
    return "error: unknown command " + cmd;
  }

  void watch() {
    // Spawn arguments rather than captures throughout: CAF 0.17 spawns a function actor without arguments
    // through a null pointer (undefined behaviour the sanitizer build stops on).
    auto watcher = node_.system().spawn(
        [](caf::event_based_actor*, event_log* log) -> caf::behavior {
          return {
              [log](nodeup_atom, const std::string& name) { log->add("nodeup " + name); },
              [log](nodedown_atom, const std::string& name, const std::string& reason) {
                log->add("nodedown " + name + " " + reason);
              },
          };
        },
        &events_);
    caf::scoped_actor self{node_.system()};
    self->request(node_.agent(), std::chrono::seconds(5), monitor_nodes_atom_v, watcher)
        .receive([] {}, [](caf::error&) {});
    watcher_ = watcher;
  }

  void stop() {
    caf::anon_send_exit(watcher_, caf::exit_reason::user_shutdown);
    for (auto& echo : echoes_)
      caf::anon_send_exit(echo, caf::exit_reason::user_shutdown);
    if (supervisor_)
      caf::anon_send_exit(supervisor_, caf::exit_reason::user_shutdown);
  }

private:
  caf::actor spawn_echo() {
    auto me = node_.name().to_string();
    auto actor = node_.system().spawn(echo, std::string("echo:"), "@" + me);
    echoes_.push_back(actor);
    return actor;
  }

  std::string child_command(caf::scoped_actor& self, const std::string& cmd, const std::string& name) {
    if (!supervisor_)
      return "error: not supervising";
    std::string out;
    self->request(supervisor_, std::chrono::seconds(5), caf::get_atom_v, name)
        .receive(
            [&](caf::actor& child) {
              out = std::to_string(child.id());
              if (cmd == "crash")
                self->send_exit(child,
                                caf::make_error(caf::sec::runtime_error, "crash requested by the test"));
            },
            [&](caf::error& err) { out = "error: " + self->system().render(err); });
    return out;
  }

  // Connects with CAF's own BASP connect, skipping the cookie handshake, as an intruder would: it must get
  // no connection at all.
  std::string raw_request(caf::scoped_actor& self, const std::string& target) {
    auto name = node_name::parse(target);
    std::string out;
    self->request(node_.system().middleman().actor_handle(), std::chrono::seconds(2), caf::connect_atom_v,
                  name->host(), peer_port_)
        .receive(
            [&](const caf::node_id&, caf::strong_actor_ptr& ptr, const std::set<std::string>&) {
              self->request(caf::actor_cast<caf::actor>(ptr), std::chrono::milliseconds(1000), nodes_atom_v)
                  .receive([&](std::vector<std::string>& xs) { out = "answer: " + join(xs); },
                           [&](caf::error& err) { out = "no answer: " + self->system().render(err); });
            },
            [&](caf::error& err) { out = "no connection: " + self->system().render(err); });
    return out;
  }

  // One line per peer: its outbound budget and connection counters (runtime::peer_load).
  std::string load() {
    std::string out;
    for (auto& p : node_.peer_load())
      out += p.node + " outbound=" + std::to_string(p.outbound_bytes) + " held=" + std::to_string(p.holds) +
             " held_ms=" + std::to_string(static_cast<long>(p.held_seconds * 1000)) +
             " messages=" + std::to_string(p.messages_sent) + " sent=" + std::to_string(p.bytes_sent) +
             " received=" + std::to_string(p.bytes_received) + " queue=" + std::to_string(p.socket_queue) +
             " reads=" + std::to_string(p.read_batches) + " writes=" + std::to_string(p.write_batches) + "\n";
    return out;
  }

  node& node_;
  caf::actor supervisor_;
  std::uint16_t peer_port_;
  caf::actor watcher_;
  std::vector<caf::actor> echoes_;
  event_log events_;
  plugnode::test::state_commands state_;
};

} // namespace

int main(int argc, char** argv) {
  auto opts = parse(argc, argv);
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  configure_logging({spdlog::level::info, log_format::text});
  // Every line at once: a test that fails shows the node's log as it stood (a node flushes within 1 s).
  spdlog::default_logger()->flush_on(spdlog::level::info);
  node n(opts.node);
  if (auto error = n.start()) {
    std::cout << "START FAILED: " << *error << std::endl;
    return 2;
  }
  caf::actor supervisor;
  if (opts.supervise) {
    child_spec worker{"worker",
                      [](caf::actor_system& sys) { return sys.spawn(echo, std::string(), std::string()); }};
    supervisor = n.supervise({worker}, opts.max_restarts, opts.period);
  }
  driver d(n, supervisor, opts.node.port);
  d.watch();
  httplib::Server control;
  control.Post("/", [&d](const httplib::Request& req, httplib::Response& res) {
    res.set_content(d.run(req.body), "text/plain");
  });
  // Without --control-port the node binds a free one itself (no other process can take it between a pick
  // and the bind) and names it on its READY line.
  auto control_port = opts.control_port;
  plugnode::test::exclusive_binds(control);
  if (control_port == 0)
    control_port = plugnode::test::bind_free_port(control);
  else if (!control.bind_to_port("127.0.0.1", control_port)) {
    std::cout << "START FAILED: control port " << control_port << " is taken" << std::endl;
    return 2;
  }
  std::thread server([&] { control.listen_after_bind(); });
  while (!control.is_running())
    std::this_thread::sleep_for(milliseconds(5));
  std::cout << "READY " << n.name().to_string() << " control " << control_port << std::endl;
  int sig = 0;
  sigwait(&stop_signals, &sig);
  logger().info("signal {}: leaving", sig);
  n.leave();
  control.stop();
  server.join();
  d.stop();
  return 0; // d's state commands end their actors here, before the node's system goes
}
