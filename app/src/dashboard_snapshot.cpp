// The dashboard's sampler and its JSON document; see dashboard_snapshot.hpp.
#include "plugnode/app/dashboard_snapshot.hpp"

#include <caf/actor_system.hpp>
#include <caf/event_based_actor.hpp>
#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <nlohmann/json.hpp>

#include <deque>
#include <map>

#include "plugnode/app/cluster_report.hpp"
#include "plugnode/app/http_window.hpp"
#include "plugnode/runtime/agent_protocol.hpp"
#include "plugnode/runtime/ask.hpp"
#include "plugnode/runtime/groups.hpp"
#include "plugnode/runtime/log_tail.hpp"
#include "plugnode/runtime/node.hpp"

namespace plugnode::app {
namespace {

using json = nlohmann::json;
using families = std::vector<prometheus::MetricFamily>;

constexpr std::size_t timeline_events = 100;
constexpr std::size_t log_lines = 100;
// The peers whose own view of the cluster is asked each second, for the links between other nodes.
constexpr std::size_t asked_peers = 32;
constexpr std::chrono::milliseconds peer_view_timeout{300};
// How long latest() waits for the first sample of a node that has just started.
constexpr std::chrono::milliseconds first_sample_wait{2000};

double seconds_now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string label(const prometheus::ClientMetric& m, const char* name) {
  for (const auto& l : m.label)
    if (l.name == name)
      return l.value;
  return {};
}

// The value of each series of `name` by its label `by` ("" for a family without labels).
std::map<std::string, double> values(const families& all, const char* name, const char* by = "") {
  std::map<std::string, double> out;
  for (const auto& f : all)
    if (f.name == name)
      for (const auto& m : f.metric)
        out[label(m, by)] += f.type == prometheus::MetricType::Counter ? m.counter.value : m.gauge.value;
  return out;
}

double value(const families& all, const char* name) {
  auto v = values(all, name);
  return v.empty() ? 0 : v.begin()->second;
}

// Per-peer counters at the previous sample, for rates.
struct link_counters {
  double at = 0;
  double sent = 0;
  double received = 0;
  double messages = 0;
};

} // namespace

struct dashboard_snapshot::state {
  snapshot_source source;
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  bool stopping = false;
  std::uint64_t number = 0;
  std::string document = "{}";
  std::deque<json> timeline;       // under mutex: the watcher actor adds to it
  std::vector<subscriber> readers; // under mutex
  caf::actor watcher;

  // The sampler's own, between samples.
  http_window http;
  std::map<std::string, link_counters> links;
  double cpu_at = 0;
  double cpu_seconds = -1;

  void note(json event) {
    std::lock_guard lock(mutex);
    timeline.push_back(std::move(event));
    while (timeline.size() > timeline_events)
      timeline.pop_front();
  }

  json process(const families& all, double now) {
    double cpu = value(all, "process_cpu_seconds_total");
    double percent = cpu_seconds < 0 || now <= cpu_at ? 0 : (cpu - cpu_seconds) / (now - cpu_at) * 100;
    cpu_seconds = cpu;
    cpu_at = now;
    auto start = value(all, "process_start_time_seconds");
    return {{"name", source.services.node},
            {"version", source.version},
            {"incarnation", source.services.incarnation},
            {"uptime_s", start > 0 ? static_cast<double>(wall_ms()) / 1000 - start : 0},
            {"rss_bytes", value(all, "process_resident_memory_bytes")},
            {"threads", value(all, "process_threads")},
            {"open_files", value(all, "process_open_fds")},
            {"max_files", value(all, "process_max_fds")},
            {"cpu_percent", percent},
            {"failure_bound_ms", source.node->failure_bound().count()}};
  }

  // The cluster report's peers with their traffic (the plugnode_dist_* series) and its rates.
  json links_of(json& peers, const families& all, double now) {
    auto sent = values(all, "plugnode_dist_sent_bytes_total", "peer");
    auto received = values(all, "plugnode_dist_received_bytes_total", "peer");
    auto messages = values(all, "plugnode_dist_messages_sent_total", "peer");
    auto outbound = values(all, "plugnode_dist_outbound_bytes", "peer");
    auto waiting = values(all, "plugnode_dist_waiting_senders", "peer");
    std::map<std::string, link_counters> seen;
    for (auto& p : peers) {
      auto name = p.value("node", "");
      link_counters now_counters{now, sent[name], received[name], messages[name]};
      auto before = links.find(name);
      auto rate = [&](double link_counters::*field) {
        if (before == links.end() || now <= before->second.at || now_counters.*field < before->second.*field)
          return 0.0;
        return (now_counters.*field - before->second.*field) / (now - before->second.at);
      };
      p["sent_bytes_per_s"] = rate(&link_counters::sent);
      p["received_bytes_per_s"] = rate(&link_counters::received);
      p["messages_per_s"] = rate(&link_counters::messages);
      p["outbound_bytes"] = outbound[name];
      p["senders_held"] = waiting[name];
      seen[name] = now_counters;
    }
    links = std::move(seen);
    return peers;
  }

  // Each plugnode peer's own visible peers (asked of its agent at once, answers awaited together), so the
  // picture has the links between the other nodes too.
  json peer_views(caf::scoped_actor& self, const json& peers) {
    using pending = decltype(self->request(caf::actor{}, peer_view_timeout, runtime::nodes_atom_v));
    std::vector<std::pair<std::string, pending>> asked;
    for (const auto& p : peers) {
      if (asked.size() >= asked_peers || p.value("protocol", "") != "plugnode" || p.value("hidden", false))
        continue;
      auto name = p.value("node", "");
      if (auto agent = source.node->connected_agent(name))
        asked.emplace_back(name, self->request(agent, peer_view_timeout, runtime::nodes_atom_v));
    }
    json views = json::object();
    for (auto& [name, handle] : asked)
      handle.receive([&, n = name](const std::vector<std::string>& visible) { views[n] = visible; },
                     [](const caf::error&) {});
    return views;
  }

  json actors(caf::scoped_actor& self) {
    json out = json::array();
    for (const auto& name : source.actor_names) {
      auto found = runtime::ask<caf::actor>(*self.ptr(), source.services.agent, ask_timeout,
                                            runtime::whereis_atom_v, name);
      out.push_back({{"name", name}, {"running", static_cast<bool>(found)}});
    }
    return out;
  }

  json cluster_state(caf::scoped_actor& self, const families& all) {
    json groups = json::array();
    if (source.services.groups)
      if (auto names = runtime::ask<std::vector<std::string>>(*self.ptr(), source.services.groups,
                                                              ask_timeout, runtime::pg_groups_atom_v))
        groups = *names;
    json entities = json::array();
    for (const auto& [type, active] : values(all, "plugnode_entities_active", "type"))
      entities.push_back({{"type", type}, {"active", active}});
    return {{"groups", std::move(groups)},
            {"topics", value(all, "plugnode_pubsub_topics")},
            {"subscribers", value(all, "plugnode_pubsub_subscribers")},
            {"entities", std::move(entities)}};
  }

  json http_of(const families& all, double now) {
    http.add(http_sample_of(all, now));
    auto f = http.figures();
    json classes = json::object();
    for (std::size_t i = 0; i < f.classes.size(); ++i)
      classes[std::to_string(i + 1) + "xx"] = f.classes[i];
    auto history = f.rate_history;
    if (history.size() > 120)
      history.erase(history.begin(), history.end() - 120);
    auto by_state = values(all, "plugnode_http_connections", "state");
    return {{"requests_per_s", f.requests_per_second},
            {"p50_ms", f.p50_ms},
            {"p99_ms", f.p99_ms},
            {"window_s", f.window_seconds},
            {"status_classes", std::move(classes)},
            {"rate_history", std::move(history)},
            {"connections", by_state},
            {"refused_at_cap", value(all, "plugnode_http_connections_refused_total")}};
  }

  static json log_tail() {
    json out = json::array();
    for (const auto& line : runtime::recent_log_lines(log_lines, spdlog::level::trace)) {
      auto level = spdlog::level::to_string_view(line.level);
      out.push_back({{"seq", line.seq},
                     {"time_ms", line.time_ms},
                     {"level", std::string(level.data(), level.size())},
                     // The text is cut to a bound: a cut may split a UTF-8 sequence, which dump() replaces.
                     {"text", line.text}});
    }
    return out;
  }

  std::string sample() {
    auto& services = source.services;
    refresh_metrics(services);
    auto all = services.metrics.collect();
    auto now = seconds_now();
    caf::scoped_actor self{source.node->system()};
    auto report = json::parse(
        fetch_cluster_report(*self.ptr(), services.node, services.incarnation, services.agent, ask_timeout),
        nullptr, false);
    if (report.is_discarded())
      report = json::object();
    json peers = report.value("peers", json::array());
    json doc{{"time_ms", wall_ms()},
             {"node", process(all, now)},
             {"links", links_of(peers, all, now)},
             {"peer_views", peer_views(self, peers)},
             {"discovery", report.value("discovery", json::object())},
             {"http", http_of(all, now)},
             {"actors", actors(self)},
             {"cluster_state", cluster_state(self, all)},
             {"log", log_tail()}};
    if (report.contains("peers_error"))
      doc["peers_error"] = report["peers_error"];
    {
      std::lock_guard lock(mutex);
      doc["timeline"] = json(timeline);
    }
    return doc.dump(-1, ' ', false, json::error_handler_t::replace);
  }

  // Hands `doc` to every reader, outside the lock (a reader's send may take the transport's lock), and keeps
  // those that still read.
  void publish(const std::string& doc, std::unique_lock<std::mutex>& lock) {
    auto current = std::move(readers);
    readers.clear();
    lock.unlock();
    std::vector<subscriber> kept;
    for (auto& r : current)
      if (r.deliver(doc))
        kept.push_back(std::move(r));
    lock.lock();
    kept.insert(kept.end(), std::make_move_iterator(readers.begin()), std::make_move_iterator(readers.end()));
    readers = std::move(kept);
  }

  void run() {
    auto next = std::chrono::steady_clock::now();
    std::unique_lock lock(mutex);
    while (!stopping) {
      lock.unlock();
      auto doc = sample();
      lock.lock();
      document = doc;
      ++number;
      changed.notify_all();
      publish(doc, lock);
      next += source.interval;
      changed.wait_until(lock, next, [this] { return stopping; });
    }
    auto ending = std::move(readers);
    readers.clear();
    lock.unlock();
    for (auto& r : ending)
      if (r.end)
        r.end();
  }
};

namespace {

// The timeline's ears: subscribed by itself, since the agent takes monitor_nodes from this node's own actors
// only.
caf::behavior watch_node_events(caf::event_based_actor* self, std::weak_ptr<dashboard_snapshot::state> weak,
                                const caf::actor& agent) {
  self->send(agent, runtime::monitor_nodes_atom_v, caf::actor_cast<caf::actor>(self));
  auto note = [weak](const char* event, const std::string& node, const std::string& reason) {
    if (auto st = weak.lock())
      st->note({{"time_ms", wall_ms()}, {"event", event}, {"node", node}, {"reason", reason}});
  };
  return {
      [note](runtime::nodeup_atom, const std::string& node) { note("nodeup", node, ""); },
      [note](runtime::nodedown_atom, const std::string& node, const std::string& reason) {
        note("nodedown", node, reason);
      },
      [](caf::unit_t) {}, // the agent's answer to the subscription
  };
}

} // namespace

dashboard_snapshot::dashboard_snapshot(snapshot_source source) : state_(std::make_shared<state>()) {
  state_->source = std::move(source);
  auto& system = state_->source.node->system();
  // Node events as the agent reports them (in the order of nodes()), kept for the timeline. Arguments, not
  // captures: CAF 0.17 spawning a function with none binds a null tuple (UBSan finds it).
  state_->watcher =
      system.spawn(watch_node_events, std::weak_ptr<state>(state_), state_->source.services.agent);
  sampler_ = std::thread([st = state_] { st->run(); });
}

dashboard_snapshot::~dashboard_snapshot() {
  stop();
  caf::anon_send_exit(state_->watcher, caf::exit_reason::user_shutdown);
}

void dashboard_snapshot::stop() {
  {
    std::lock_guard lock(state_->mutex);
    state_->stopping = true;
    state_->changed.notify_all();
  }
  if (sampler_.joinable())
    sampler_.join();
}

std::string dashboard_snapshot::latest() const {
  std::unique_lock lock(state_->mutex);
  state_->changed.wait_for(lock, first_sample_wait, [&] { return state_->number > 0 || state_->stopping; });
  return state_->document;
}

void dashboard_snapshot::subscribe(subscriber s) {
  std::unique_lock lock(state_->mutex);
  if (state_->stopping) {
    lock.unlock();
    if (s.end)
      s.end();
    return;
  }
  auto doc = state_->number > 0 ? state_->document : std::string();
  lock.unlock();
  if (!doc.empty() && !s.deliver(doc))
    return;
  lock.lock();
  state_->readers.push_back(std::move(s));
}

std::size_t dashboard_snapshot::subscribers() const {
  std::lock_guard lock(state_->mutex);
  return state_->readers.size();
}

} // namespace plugnode::app
