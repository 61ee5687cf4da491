// The service test kit of testing.hpp: a node of the service in the test's process.
#include "plugnode/app/testing.hpp"

#include <stdexcept>
#include <thread>

#include <caf/scoped_actor.hpp>
#include <caf/send.hpp>
#include <prometheus/registry.h>

#include "plugnode/runtime/remote_call.hpp"

namespace plugnode::app {
namespace {

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds within) {
  auto deadline = std::chrono::steady_clock::now() + within;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline)
      return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

config test_config(const service& svc, const test_node_options& options) {
  config_flags flags{{"PLUGNODE_NODE", options.name}};
  if (!options.cookie.empty())
    flags["PLUGNODE_COOKIE"] = options.cookie;
  // The settings as the environment: a bad value is blamed on its variable, as in a deployment.
  auto environment = [&settings = options.settings](const char* name) -> std::optional<std::string> {
    auto it = settings.find(name);
    return it == settings.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
  auto cfg = load_config(flags, environment, svc.name);
  load_service_settings(cfg, svc.settings, flags, environment);
  return cfg;
}

} // namespace

test_node::test_node(const service& svc, test_node_options options)
    : options_(std::move(options)), registry_(std::make_shared<prometheus::Registry>()) {
  auto cfg = test_config(svc, options_);
  name_ = cfg.node.to_string();
  auto node_options = node_options_of(cfg, svc);
  node_options.port = options_.dist_port;
  node_options.on_fatal = [stopped = stopped_](const std::string& reason) {
    std::lock_guard<std::mutex> lock(stopped->first);
    stopped->second = reason;
  };
  node_ = std::make_unique<runtime::node>(node_options);
  if (auto error = node_->start())
    throw std::runtime_error("test_node " + name_ + ": " + *error);
  wiring_ = wire_node(
      *node_, cfg, registry_, [] {}, svc);
  wiring_.services.listening->store(true);
  pipeline_ = node_pipeline(wiring_.services, svc);
}

test_node::~test_node() {
  caf::anon_send_exit(wiring_.supervisor, caf::exit_reason::user_shutdown);
}

plugs::conn test_node::request(std::string method, std::string_view target, std::string body,
                               const plugs::headers& headers) {
  auto c = plugs::test_conn(std::move(method), target, std::move(body), headers);
  c.system = &node_->system();
  return plugs::call(pipeline_, std::move(c));
}

std::string test_node::stopped_because() const {
  std::lock_guard<std::mutex> lock(stopped_->first);
  return stopped_->second;
}

bool test_node::wait_for(const std::string& name, std::chrono::milliseconds within) {
  caf::scoped_actor self{node_->system()};
  return eventually(
      [&] { return bool(runtime::whereis(self, node_->agent(), name, name_, options_.timeout)); }, within);
}

bool test_node::connect(test_node& other, std::chrono::milliseconds within) {
  caf::scoped_actor self{node_->system()};
  runtime::connect_target target{other.node_->name(), other.node_->port(), {other.node_->bind_address()}};
  self->request(node_->agent(), within, caf::connect_atom_v, target).receive([](bool) {}, [](caf::error&) {});
  auto lists = [](test_node& n, const std::string& peer) {
    caf::scoped_actor asker{n.node_->system()};
    auto peers = runtime::ask<std::vector<std::string>>(*asker.ptr(), n.node_->agent(), n.options_.timeout,
                                                        runtime::nodes_atom_v);
    return peers && std::find(peers->begin(), peers->end(), peer) != peers->end();
  };
  return eventually([&] { return lists(*this, other.name_) && lists(other, name_); }, within);
}

} // namespace plugnode::app
