// testing: the service test kit, for the tests of a service built on plugnode (any test framework). A
// test_node starts the service's actors and routes in-process on a real node: routes are called through
// the plug test harness (plugs/testing.hpp: a conn in, a conn out, no socket), actors by their registered
// name the way routes call them (app::call). Two test_nodes with a cookie form a cluster over loopback, for
// what crosses nodes: remote calls, message types, members().
//
//   plugnode::app::test_node node(make_service());
//   REQUIRE(node.wait_for("counter"));
//   CHECK(node.get("/counters/a").status == 200);
//   CHECK(node.call<std::int64_t>("counter", get_atom_v, "a") == 1);
//
//   test_node_options a{"counter@127.0.0.2", "cookie"}, b{"counter@127.0.0.3", "cookie"};
//   test_node one(svc, a), two(svc, b);
//   REQUIRE(one.connect(two));
//   CHECK(one.call_on<std::int64_t>(two.name(), "counter", get_atom_v, "a"));
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include <caf/expected.hpp>

#include "plugnode/app/config.hpp"
#include "plugnode/app/node_wiring.hpp"
#include "plugnode/app/service.hpp"
#include "plugnode/plugs/testing.hpp"
#include "plugnode/runtime/node.hpp"

namespace prometheus {
class Registry;
}

namespace plugnode::app {

struct test_node_options {
  std::string name = "test@127.0.0.1"; // with a cookie, the node listens on this name's host
  std::string cookie;                  // empty: a single node, nothing listens
  std::uint16_t dist_port = 0;         // with a cookie: its distribution port; 0: any free one
  // Settings by their variable (the service's own and the node's: "COUNTER_SHARDS", "LOG_LEVEL"), as the
  // environment would give them; the test's own environment is not read.
  config_flags settings = {};
  std::chrono::milliseconds timeout{2000}; // of each call
};

class test_node {
public:
  // Starts the node and the service's actors; throws std::runtime_error when the node cannot start and
  // config_error for a bad setting.
  explicit test_node(const service& svc, test_node_options options = {});
  ~test_node();
  test_node(const test_node&) = delete;
  test_node& operator=(const test_node&) = delete;

  // A request through the node's whole pipeline: the operator routes, the service's plugs, scopes, routes.
  plugs::conn request(std::string method, std::string_view target, std::string body = {},
                      const plugs::headers& headers = {});
  plugs::conn get(std::string_view target) { return request("GET", target); }

  // The answer of the actor registered as `name` on this node (call) or on `on_node` (call_on), exactly as
  // a route's app::call gets it: message types checked, errors as values.
  template <class Reply, class... Ts> caf::expected<Reply> call(const std::string& name, Ts&&... xs) {
    return call_on<Reply>(name_, name, std::forward<Ts>(xs)...);
  }
  template <class Reply, class... Ts>
  caf::expected<Reply> call_on(const std::string& on_node, const std::string& name, Ts&&... xs) {
    auto c = plugs::test_conn("GET", "/");
    c.system = &node_->system();
    return app::call<Reply>(c, wiring_.services, name, on_node, options_.timeout, std::forward<Ts>(xs)...);
  }

  // True once an actor is registered as `name` here (the supervisor starts the service's actors just
  // after the node), within `within`.
  bool wait_for(const std::string& name, std::chrono::milliseconds within = std::chrono::seconds(5));

  // Connects this node to `other` (both with the same cookie): true once each lists the other.
  bool connect(test_node& other, std::chrono::milliseconds within = std::chrono::seconds(5));

  // Why the node would have stopped (a supervisor gave up on an actor past its restart limit), or empty: a
  // test_node records it instead of exiting the test's process.
  std::string stopped_because() const;

  const std::string& name() const { return name_; }
  const node_services& services() const { return wiring_.services; }
  runtime::node& node() { return *node_; }

private:
  test_node_options options_;
  std::string name_;
  std::shared_ptr<std::pair<std::mutex, std::string>> stopped_ =
      std::make_shared<std::pair<std::mutex, std::string>>();
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<runtime::node> node_;
  node_wiring wiring_;
  plugs::plug pipeline_ = [](plugs::conn&) {};
};

} // namespace plugnode::app
