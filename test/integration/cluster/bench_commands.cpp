// The distribution benchmark's measurements; see bench_commands.hpp.
#include "bench_commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include <caf/all.hpp>
#include <caf/io/all.hpp>

#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/dist_send.hpp"
#include "plugnode/runtime/node.hpp"
#include "plugnode/runtime/remote_call.hpp"

namespace plugnode::bench {
namespace {

using clock_type = std::chrono::steady_clock;
using plugnode::runtime::node;

double micros(clock_type::duration d) {
  return std::chrono::duration<double, std::micro>(d).count();
}

struct ping_loop {
  int left;
  std::vector<double> samples;
  clock_type::time_point sent;
  std::shared_ptr<std::promise<std::vector<double>>> done;
};

void next_ping(caf::stateful_actor<ping_loop>* self, const node* n, std::string target) {
  if (self->state.left-- == 0) {
    self->state.done->set_value(std::move(self->state.samples));
    self->quit();
    return;
  }
  self->state.sent = clock_type::now();
  runtime::ping(self, *n, target, std::chrono::seconds(5), [=](bool pong) {
    if (pong)
      self->state.samples.push_back(micros(clock_type::now() - self->state.sent));
    next_ping(self, n, target);
  });
}

struct send_loop {
  int sent = 0;
  std::uint64_t before = 0;  // the sink's count when the sends started
  std::uint64_t counted = 0; // its count at the last acknowledgement
  std::shared_ptr<std::promise<std::string>> done;
};

// A window of plain sends in one handler: the handle came from whereis, so the outbound budget holds
// this loop by blocking its thread when the link falls behind (held_proxy.hpp).
void next_window(caf::stateful_actor<send_loop>* self, caf::actor sink, int count, int window,
                 clock_type::time_point start) {
  auto& st = self->state;
  if (st.sent >= count) {
    auto rate = count / std::chrono::duration<double>(clock_type::now() - start).count();
    st.done->set_value(std::to_string(static_cast<long>(rate)) + " " +
                       std::to_string(st.counted - st.before));
    self->quit();
    return;
  }
  for (int i = 0; i < window && st.sent < count; ++i)
    self->send(sink, static_cast<std::uint64_t>(st.sent++));
  self->request(sink, std::chrono::seconds(60), caf::get_atom_v)
      .then(
          [=](std::uint64_t counted) {
            self->state.counted = counted;
            next_window(self, sink, count, window, start);
          },
          [=](caf::error& err) {
            self->state.done->set_value("error: " + self->system().render(err));
            self->quit();
          });
}

// The sink's count, asked by a blocking actor; false on an error (in `error`).
bool sink_count(node& n, const caf::actor& sink, std::uint64_t& count, std::string& error) {
  caf::scoped_actor self{n.system()};
  self->request(sink, std::chrono::seconds(10), caf::get_atom_v)
      .receive([&](std::uint64_t x) { count = x; },
               [&](caf::error& err) { error = "error: " + n.system().render(err); });
  return error.empty();
}

struct blast_loop {
  std::uint64_t sent = 0;
  std::uint64_t count = 0;
  std::uint64_t before = 0; // the sink's count when the blast started
  clock_type::time_point start;
  std::shared_ptr<std::promise<std::string>> done;
};

// Sends until the budget holds the actor (runtime::send returns false), then continues with the next
// message it handles, which comes only once there is room: Erlang's `[Sink ! I || I <- L]`.
void blast_more(caf::stateful_actor<blast_loop>* self, const node* n, const caf::actor& sink) {
  auto& st = self->state;
  while (st.sent < st.count) {
    if (!runtime::send(self, *n, sink, st.sent++)) {
      self->send(self, caf::tick_atom_v);
      return;
    }
  }
  // One request after the last message: the sink has counted everything before it when it answers.
  self->request(sink, std::chrono::seconds(60), caf::get_atom_v)
      .then(
          [self](std::uint64_t counted) {
            auto& s = self->state;
            auto took = std::chrono::duration<double>(clock_type::now() - s.start).count();
            s.done->set_value(std::to_string(static_cast<long>(s.count / took)) + " " +
                              std::to_string(counted - s.before));
            self->quit();
          },
          [self](caf::error& err) {
            self->state.done->set_value("error: " + self->system().render(err));
            self->quit();
          });
}

} // namespace

caf::actor spawn_sink(node& n) {
  // Arguments instead of captures in every spawn here: CAF 0.17 spawns a function actor without arguments
  // through a null pointer (undefined behaviour the sanitizer build stops on).
  return n.system().spawn(
      [](caf::stateful_actor<std::uint64_t>* self, std::uint64_t start) -> caf::behavior {
        self->state = start;
        return {
            [self](std::uint64_t) { ++self->state; },
            [self](caf::get_atom) { return self->state; },
        };
      },
      std::uint64_t{0});
}

caf::actor spawn_io_sink(node& n) {
  return n.system().middleman().spawn_broker(
      [](caf::io::stateful_broker<std::uint64_t>* self, std::uint64_t start) -> caf::behavior {
        self->state = start;
        return {
            [self](std::uint64_t) { ++self->state; },
            [self](caf::get_atom) { return self->state; },
        };
      },
      std::uint64_t{0});
}

caf::actor spawn_slow_sink(node& n, int micros) {
  return n.system().middleman().spawn_broker(
      [](caf::io::stateful_broker<std::uint64_t>* self, int pause) -> caf::behavior {
        return {
            [self, pause](std::uint64_t) {
              std::this_thread::sleep_for(std::chrono::microseconds(pause));
              ++self->state;
            },
            [self](caf::get_atom) { return self->state; },
        };
      },
      micros);
}

std::string time_connect(node& n, const std::string& target) {
  caf::scoped_actor self{n.system()};
  auto start = clock_type::now();
  bool ok = false;
  self->request(n.agent(), std::chrono::seconds(10), caf::connect_atom_v, target)
      .receive([&](bool x) { ok = x; }, [](caf::error&) {});
  auto took = micros(clock_type::now() - start);
  return ok ? std::to_string(static_cast<long>(took)) : "error: connect failed";
}

std::string time_pings(node& n, const std::string& target, int count) {
  auto done = std::make_shared<std::promise<std::vector<double>>>();
  auto result = done->get_future();
  n.system().spawn(
      [](caf::stateful_actor<ping_loop>* self, ping_loop start, const node* on, std::string name) {
        self->state = std::move(start);
        next_ping(self, on, name);
      },
      ping_loop{count, {}, {}, done}, &n, target);
  if (result.wait_for(std::chrono::minutes(2)) != std::future_status::ready)
    return "error: pings timed out";
  auto samples = result.get();
  if (samples.empty())
    return "error: no pong";
  std::sort(samples.begin(), samples.end());
  char text[64];
  std::snprintf(text, sizeof text, "%.1f %.1f", samples[samples.size() / 2],
                samples[samples.size() * 99 / 100]);
  return text;
}

std::string time_sends(node& n, const std::string& name, const std::string& target, int count, int window) {
  caf::actor sink;
  {
    caf::scoped_actor self{n.system()};
    auto found = runtime::whereis(self, n.agent(), name, target, std::chrono::seconds(5));
    if (!found)
      return "error: " + n.system().render(found.error());
    sink = *found;
  }
  std::uint64_t before = 0;
  std::string error;
  if (!sink_count(n, sink, before, error))
    return error;
  auto done = std::make_shared<std::promise<std::string>>();
  auto result = done->get_future();
  n.system().spawn(
      [](caf::stateful_actor<send_loop>* self, send_loop start, caf::actor to, int total, int batch) {
        self->state = std::move(start);
        next_window(self, to, total, batch, clock_type::now());
      },
      send_loop{0, before, before, done}, sink, count, window);
  if (result.wait_for(std::chrono::minutes(5)) != std::future_status::ready)
    return "error: sends timed out";
  return result.get();
}

std::string time_blast(node& n, const std::string& name, const std::string& target, std::uint64_t count) {
  caf::actor sink;
  std::uint64_t before = 0;
  {
    caf::scoped_actor self{n.system()};
    auto found = runtime::whereis(self, n.agent(), name, target, std::chrono::seconds(5));
    if (!found)
      return "error: " + n.system().render(found.error());
    sink = *found;
  }
  std::string error;
  if (!sink_count(n, sink, before, error))
    return error;
  auto done = std::make_shared<std::promise<std::string>>();
  auto result = done->get_future();
  n.system().spawn(
      [](caf::stateful_actor<blast_loop>* self, blast_loop start, const node* on,
         caf::actor to) -> caf::behavior {
        self->state = std::move(start);
        self->state.start = clock_type::now();
        blast_more(self, on, to);
        return {[self, on, to](caf::tick_atom) { blast_more(self, on, to); }};
      },
      blast_loop{0, count, before, {}, done}, &n, sink);
  if (result.wait_for(std::chrono::minutes(5)) != std::future_status::ready)
    return "error: blast timed out";
  return result.get();
}

} // namespace plugnode::bench
