// state_bench_node: the plugnode half of test/bench/state/run, one runtime node per process, driven over a
// loopback control port (one command per HTTP POST body, the answer in the response body). The measured
// loops run in event-based actors, as state_bench.erl's run in processes.
//
//   state_bench_node --name a@127.0.0.2 --addr 127.0.0.2 --port P --cookie C --control-port Q
// Commands:
//   connect NODE | nodes | hosts (the nodes hosting "bench", as this node sees them)
//   activate N           N new entities of the idle type "bench", called one after the other on this node:
//                        "activations_per_s kB_per_100k" (the RSS they added, per 100,000)
//   entity_rtt NODE N    N sequential entity calls to a key that lives on NODE: "median_us p99_us"
//   pg_watch             every group join in the scope "pg" seen here is acknowledged to the joined actor
//   pg_join_time PEERS N N joins of one actor to new groups, each timed until PEERS watchers acknowledged
//                        it: "median_us p99_us"
//   fan_collector        registers "fan_done", which counts subscribers that got the last broadcast
//   fan_sub TOPIC N LAST NODE   N subscribers of TOPIC, each telling NODE's fan_done when seq LAST came
//   fan_ready TOPIC PEERS  "true" once PEERS other nodes have subscribers of TOPIC (as this node sees it)
//   fan_pub TOPIC COUNT SUBS   COUNT broadcasts (seq 0..COUNT-1), until SUBS subscribers got the last one:
//                        "deliveries_per_s"
#include <signal.h>

#include <httplib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <future>
#include <iostream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <caf/all.hpp>

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/entities.hpp"
#include "plugnode/runtime/groups.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/node.hpp"
#include "plugnode/runtime/pubsub.hpp"
#include "plugnode/runtime/remote_call.hpp"
#include "plugnode/test/exclusive_port.hpp"

using namespace plugnode::runtime;
using clock_type = std::chrono::steady_clock;

namespace {

using ack_atom = caf::atom_constant<caf::atom("sb_ack")>;
using done_atom = caf::atom_constant<caf::atom("sb_done")>;
using next_atom = caf::atom_constant<caf::atom("sb_next")>;
using expect_atom = caf::atom_constant<caf::atom("sb_expect")>;

constexpr auto call_timeout = std::chrono::seconds(10);
constexpr auto result_timeout = std::chrono::minutes(5);

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

long rss_kb() {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind("VmRSS:", 0) == 0)
      return std::stol(line.substr(6));
  return 0;
}

std::string median_p99(std::vector<double> samples) {
  if (samples.empty())
    return "error: no samples";
  std::sort(samples.begin(), samples.end());
  char text[64];
  std::snprintf(text, sizeof text, "%.1f %.1f", samples[samples.size() / 2],
                samples[samples.size() * 99 / 100]);
  return text;
}

// The benchmark's entity: idle, answers its node's name.
entity_type bench_type(const std::string& node) {
  entity_type type;
  type.name = "bench";
  type.start = [node](caf::event_based_actor*, const std::string&, const std::string&) -> caf::behavior {
    return {[node](caf::get_atom) { return node; }};
  };
  return type;
}

// What the fan-out's collector counts: subscribers that got the last broadcast, up to `expected`.
struct fan_state {
  std::uint64_t expected = 0;
  std::uint64_t done = 0;
  std::promise<clock_type::time_point> all; // set when `done` reaches `expected`
};

// Calls the entities `keys` one after the other; `done` gets each call's time (an empty list on an error).
struct call_loop {
  std::vector<std::string> keys;
  std::size_t next = 0;
  std::vector<double> samples;
  clock_type::time_point sent;
  std::shared_ptr<std::promise<std::vector<double>>> done;
};

void next_call(caf::stateful_actor<call_loop>* self, const node* n) {
  auto& st = self->state;
  if (st.next == st.keys.size()) {
    st.done->set_value(std::move(st.samples));
    self->quit();
    return;
  }
  st.sent = clock_type::now();
  self->request(n->entities(), call_timeout, ent_call_atom_v, std::string("bench"), st.keys[st.next++],
                std::int32_t{0}, caf::make_message(caf::get_atom_v))
      .then(
          [self, n](const std::string&) {
            self->state.samples.push_back(micros(clock_type::now() - self->state.sent));
            next_call(self, n);
          },
          [self](caf::error&) {
            self->state.done->set_value({});
            self->quit();
          });
}

std::vector<double> time_calls(node& n, std::vector<std::string> keys) {
  auto done = std::make_shared<std::promise<std::vector<double>>>();
  auto result = done->get_future();
  n.system().spawn(
      [](caf::stateful_actor<call_loop>* self, call_loop start, const node* on) {
        self->state = std::move(start);
        next_call(self, on);
      },
      call_loop{std::move(keys), 0, {}, {}, done}, &n);
  if (result.wait_for(result_timeout) != std::future_status::ready)
    return {};
  return result.get();
}

// One actor joins group g0, g1, ... of the scope; each join is timed until `peers` watchers acknowledged it.
struct join_loop {
  int left = 0;
  int peers = 0;
  int acks = 0;
  int group = 0;
  std::vector<double> samples;
  clock_type::time_point sent;
  std::shared_ptr<std::promise<std::vector<double>>> done;
};

void next_join(caf::stateful_actor<join_loop>* self, const caf::actor& scope) {
  auto& st = self->state;
  if (st.left-- == 0) {
    st.done->set_value(std::move(st.samples));
    self->quit();
    return;
  }
  st.acks = 0;
  st.sent = clock_type::now();
  self->request(scope, call_timeout, pg_join_atom_v, "g" + std::to_string(++st.group),
                caf::actor_cast<caf::actor>(self))
      .then([](bool) {},
            [self](caf::error&) {
              self->state.done->set_value({});
              self->quit();
            });
}

class driver {
public:
  explicit driver(node& n) : node_(n) {}
  ~driver() {
    for (auto& a : actors_)
      caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
  }

  std::string run(const std::string& line) {
    std::istringstream in(line);
    std::string cmd;
    in >> cmd;
    std::vector<std::string> args;
    for (std::string arg; in >> arg;)
      args.push_back(arg);
    auto arg = [&](std::size_t i) { return i < args.size() ? args[i] : std::string(); };
    auto number = [&](std::size_t i) { return i < args.size() ? std::stol(args[i]) : 0L; };
    caf::scoped_actor self{node_.system()};
    if (cmd == "connect") {
      bool ok = false;
      self->request(node_.agent(), call_timeout, caf::connect_atom_v, arg(0))
          .receive([&](bool x) { ok = x; }, [](caf::error&) {});
      return ok ? "true" : "false";
    }
    if (cmd == "nodes") {
      std::string out;
      self->request(node_.agent(), call_timeout, nodes_atom_v)
          .receive(
              [&](const std::vector<std::string>& xs) {
                for (auto& x : xs)
                  out += (out.empty() ? "" : ",") + x;
              },
              [](caf::error&) {});
      return out;
    }
    if (cmd == "hosts") {
      for (auto& f : entities_figures(node_))
        if (f.type == "bench")
          return std::to_string(f.hosts);
      return "0";
    }
    if (cmd == "activate")
      return activate(number(0));
    if (cmd == "entity_rtt")
      return entity_rtt(self, arg(0), number(1));
    if (cmd == "pg_watch")
      return pg_watch();
    if (cmd == "pg_join_time")
      return pg_join_time(static_cast<int>(number(0)), static_cast<int>(number(1)));
    if (cmd == "fan_collector")
      return fan_collector(self);
    if (cmd == "fan_sub")
      return fan_sub(self, arg(0), number(1), static_cast<std::uint64_t>(number(2)), arg(3));
    if (cmd == "fan_ready")
      return topic_node_count(node_, arg(0)) == static_cast<std::size_t>(number(1)) ? "true" : "false";
    if (cmd == "fan_pub")
      return fan_pub(arg(0), static_cast<std::uint64_t>(number(1)), static_cast<std::uint64_t>(number(2)));
    return "error: unknown command " + cmd;
  }

private:
  std::string activate(long count) {
    std::vector<std::string> keys;
    for (long i = 0; i < count; ++i)
      keys.push_back("a" + std::to_string(i));
    auto before = rss_kb();
    auto start = clock_type::now();
    auto samples = time_calls(node_, std::move(keys));
    auto took = std::chrono::duration<double>(clock_type::now() - start).count();
    if (samples.size() != static_cast<std::size_t>(count))
      return "error: activations failed";
    std::this_thread::sleep_for(std::chrono::milliseconds(500)); // the allocator settles
    auto added = static_cast<double>(rss_kb() - before);
    char text[64];
    std::snprintf(text, sizeof text, "%.0f %.0f", count / took, added * 100000.0 / count);
    return text;
  }

  // A key of "bench" that lives on `owner` (asking starts it there), then `count` calls to it.
  std::string entity_rtt(caf::scoped_actor& self, const std::string& owner, long count) {
    for (int i = 0; i < 200; ++i) {
      auto key = "rtt" + std::to_string(i);
      auto at = entity_call<std::string>(*self.ptr(), node_, "bench", key, call_timeout, caf::get_atom_v);
      if (!at)
        return "error: " + node_.system().render(at.error());
      if (*at == owner) {
        std::vector<std::string> keys(static_cast<std::size_t>(count), key);
        return median_p99(time_calls(node_, std::move(keys)));
      }
    }
    return "error: no key of 200 lives on " + owner;
  }

  std::string pg_watch() {
    // A spawn argument, unused: CAF 0.17 spawns a function actor without arguments through a null pointer.
    auto watcher = node_.system().spawn(
        [](caf::event_based_actor*, int) -> caf::behavior {
          return {
              [](pg_joined_atom, const std::string&, const std::string& group,
                 const std::vector<caf::actor>& xs) {
                for (auto& member : xs)
                  caf::anon_send(member, ack_atom::value, group);
              },
              [](pg_left_atom, const std::string&, const std::string&, const std::vector<caf::actor>&) {},
          };
        },
        0);
    actors_.push_back(watcher);
    groups(node_, node_.group_scope()).monitor(std::string(), watcher);
    return "true";
  }

  std::string pg_join_time(int peers, int count) {
    auto done = std::make_shared<std::promise<std::vector<double>>>();
    auto result = done->get_future();
    node_.system().spawn(
        [](caf::stateful_actor<join_loop>* self, join_loop start, caf::actor scope) -> caf::behavior {
          self->state = std::move(start);
          next_join(self, scope);
          return {[self, scope](ack_atom, const std::string& group) {
            auto& st = self->state;
            if (group != "g" + std::to_string(st.group) || ++st.acks < st.peers)
              return;
            st.samples.push_back(micros(clock_type::now() - st.sent));
            next_join(self, scope);
          }};
        },
        join_loop{count, peers, 0, 0, {}, {}, done}, node_.group_scope());
    if (result.wait_for(result_timeout) != std::future_status::ready)
      return "error: timed out";
    return median_p99(result.get());
  }

  std::string fan_collector(caf::scoped_actor& self) {
    fan_ = std::make_shared<fan_state>();
    collector_ = node_.system().spawn(
        [](caf::event_based_actor*, std::shared_ptr<fan_state> st) -> caf::behavior {
          return {
              [st](expect_atom, std::uint64_t n) { st->expected = n; },
              [st](done_atom) {
                if (++st->done == st->expected)
                  st->all.set_value(clock_type::now());
              },
          };
        },
        fan_);
    actors_.push_back(collector_);
    bool ok = false;
    self->request(node_.agent(), call_timeout, register_atom_v, std::string("fan_done"), collector_)
        .receive([&](bool x) { ok = x; }, [](caf::error&) {});
    return ok ? "true" : "false";
  }

  std::string fan_sub(caf::scoped_actor& self, const std::string& topic, long count, std::uint64_t last,
                      const std::string& collector_node) {
    auto collector = whereis(self, node_.agent(), "fan_done", collector_node, call_timeout);
    if (!collector)
      return "error: " + node_.system().render(collector.error());
    for (long i = 0; i < count; ++i) {
      auto subscriber = node_.system().spawn(
          [](caf::event_based_actor*, caf::actor to, std::uint64_t final_seq) -> caf::behavior {
            return {[to, final_seq](std::uint64_t seq) {
              if (seq == final_seq)
                caf::anon_send(to, done_atom::value);
            }};
          },
          *collector, last);
      actors_.push_back(subscriber);
      if (!subscribe(node_, topic, subscriber))
        return "false";
    }
    return "true";
  }

  // Broadcasts from an event-based publisher, held by the distribution budget as runtime::send holds.
  std::string fan_pub(const std::string& topic, std::uint64_t count, std::uint64_t subscribers) {
    if (!collector_)
      return "error: no fan_collector";
    auto finished = fan_->all.get_future();
    {
      caf::scoped_actor self{node_.system()};
      self->request(collector_, call_timeout, expect_atom::value, subscribers)
          .receive([] {}, [](caf::error&) {});
    }
    auto start = clock_type::now();
    node_.system().spawn(
        [](caf::event_based_actor* self, const node* n, std::string t, std::uint64_t total) -> caf::behavior {
          auto seq = std::make_shared<std::uint64_t>(0);
          auto more = [self, n, t, total, seq] {
            while (*seq < total)
              if (!broadcast(self, *n, t, (*seq)++)) {
                self->send(self, next_atom::value);
                return;
              }
            self->quit();
          };
          more();
          return {[more](next_atom) { more(); }};
        },
        &node_, topic, count);
    if (finished.wait_for(result_timeout) != std::future_status::ready)
      return "error: timed out";
    auto took = std::chrono::duration<double>(finished.get() - start).count();
    return std::to_string(static_cast<long>(static_cast<double>(count * subscribers) / took));
  }

  node& node_;
  std::vector<caf::actor> actors_;
  caf::actor collector_;
  std::shared_ptr<fan_state> fan_; // one fan-out per process
};

} // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> flags;
  for (int i = 1; i + 1 < argc; i += 2)
    flags[argv[i]] = argv[i + 1];
  std::string error;
  auto name = node_name::parse(flags["--name"], &error);
  if (!name) {
    std::cerr << "state_bench_node: --name: " << error << "\n";
    return 2;
  }
  node_options options;
  options.name = *name;
  options.bind_address = flags["--addr"];
  options.port = static_cast<std::uint16_t>(std::stoi(flags["--port"]));
  options.cookie = flags["--cookie"];
  options.heartbeat_interval = std::chrono::milliseconds(1000);
  options.failure_bound = std::chrono::milliseconds(10000); // busy cores must not drop a link mid-run
  options.entity_types = {bench_type(name->to_string())};
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  configure_logging({spdlog::level::warn, log_format::text});
  node n(options);
  if (auto failed = n.start()) {
    std::cout << "START FAILED: " << *failed << std::endl;
    return 2;
  }
  httplib::Server control;
  {
    driver d(n);
    control.Post("/", [&d](const httplib::Request& req, httplib::Response& res) {
      res.set_content(d.run(req.body), "text/plain");
    });
    // Its own port, or none: with httplib's SO_REUSEPORT another process could answer this node's commands.
    plugnode::test::exclusive_binds(control);
    if (!control.bind_to_port("127.0.0.1", std::stoi(flags["--control-port"]))) {
      std::cout << "START FAILED: control port " << flags["--control-port"] << " is taken" << std::endl;
      return 2;
    }
    std::thread server([&] { control.listen_after_bind(); });
    while (!control.is_running())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::cout << "READY " << n.name().to_string() << std::endl;
    int sig = 0;
    sigwait(&stop_signals, &sig);
    control.stop();
    server.join();
  }
  return 0;
}
