// message_types: a service's own struct crossing nodes, two test_nodes (testing.hpp) on loopback with real
// distribution between them; a type one node lacks is an error naming the type and the node.
#include "plugnode/app/message_types.hpp"

#include <caf/event_based_actor.hpp>
#include <caf/meta/type_name.hpp>
#include <catch2/catch.hpp>

#include "plugnode/app/registered_names.hpp"
#include "plugnode/app/service.hpp"
#include "plugnode/app/testing.hpp"
#include "plugnode/test/ports.hpp"

using namespace plugnode;
using namespace std::chrono_literals;

namespace {

struct point {
  std::int32_t x = 0;
  std::int32_t y = 0;
};
bool operator==(const point& a, const point& b) {
  return a.x == b.x && a.y == b.y;
}
template <class Inspector> typename Inspector::result_type inspect(Inspector& f, point& p) {
  return f(caf::meta::type_name("point"), p.x, p.y);
}

// Moves a point by one step, wherever it runs.
caf::behavior mover(caf::event_based_actor*, std::int32_t step) {
  return {[step](const point& p) { return point{p.x + step, p.y + step}; }};
}

app::service geometry(bool declares_point) {
  app::service svc;
  svc.name = "geo";
  if (declares_point)
    svc.message_type<point>("point");
  svc.actors.push_back({"mover", [](caf::actor_system& sys, const app::node_services&) {
                          return app::spawn_actor(sys, mover, 1);
                        }});
  return svc;
}

app::test_node_options on(const std::string& address) {
  app::test_node_options options;
  options.name = "geo@" + address;
  options.cookie = "unit-cookie";
  options.dist_port = test::free_port(address);
  return options;
}

} // namespace

TEST_CASE("a declared struct crosses nodes in a call, both ways", "[message_types]") {
  app::test_node a(geometry(true), on("127.0.0.2"));
  app::test_node b(geometry(true), on("127.0.0.3"));
  REQUIRE(a.connect(b));
  REQUIRE(b.wait_for("mover"));
  REQUIRE(a.wait_for("mover"));
  auto moved = a.call_on<point>(b.name(), "mover", point{1, 2});
  REQUIRE(moved);
  CHECK(*moved == point{2, 3});
  CHECK(b.call_on<point>(a.name(), "mover", point{10, 20}) == point{11, 21});
}

TEST_CASE("a type one node has not declared: an error naming the type and that node, nothing sent",
          "[message_types]") {
  app::test_node a(geometry(true), on("127.0.0.4"));
  app::test_node b(geometry(false), on("127.0.0.5"));
  REQUIRE(a.connect(b));
  REQUIRE(b.wait_for("mover"));
  auto to_b = a.call_on<point>(b.name(), "mover", point{1, 2});
  REQUIRE_FALSE(to_b);
  CHECK(app::error_text(to_b.error()) ==
        "undeclared_type: message type 'point' is not declared on geo@127.0.0.5 (it is on geo@127.0.0.4): "
        "every node of the service declares the same message types");
  auto from_b = b.call_on<point>(a.name(), "mover", point{1, 2});
  REQUIRE_FALSE(from_b);
  CHECK_THAT(
      app::error_text(from_b.error()),
      Catch::StartsWith("undeclared_type: message type (anonymous namespace)::point is not declared on "
                        "geo@127.0.0.5: declare it on every node with svc.message_type<"));
  // Calls with built-in types still work between them.
  CHECK(a.call_on<std::vector<std::string>>(b.name(), app::types_name, caf::get_atom_v) ==
        std::vector<std::string>{});
}
