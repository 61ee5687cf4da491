// shell_service: the text a remote shell prints, asked the way a remote shell asks (a line through the node
// agent) on two kit nodes over loopback; the typed side of the same commands: erlang_rpc_test.cpp.
#include "plugnode/app/shell_service.hpp"

#include <thread>

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include "kit_nodes.hpp"
#include "plugnode/app/registered_names.hpp"
#include "plugnode/app/testing.hpp"
#include "plugnode/runtime/ask.hpp"
#include "plugnode/runtime/groups.hpp"
#include "plugnode/test/idle_actor.hpp"

using namespace plugnode;
using namespace std::chrono_literals;
using app::testing::kit_node_on;

namespace {

// What the shell prints for `line` on `n` ("error: ..." when it did not answer).
std::string shell(app::test_node& n, const std::string& line) {
  caf::scoped_actor self{n.node().system()};
  std::string text = "error: no answer";
  self->request(n.node().agent(), 15s, runtime::to_registered(app::shell_name, app::shell_atom_v, line))
      .receive([&](bool, const std::string& answer) { text = answer; },
               [&](const caf::error& e) { text = "error: " + self->system().render(e); });
  return text;
}

} // namespace

TEST_CASE("members names each member's node, as :pg.get_members' pids show theirs", "[shell_service]") {
  app::service svc;
  svc.name = "kit";
  app::test_node a(svc, kit_node_on("127.0.0.6"));
  app::test_node b(svc, kit_node_on("127.0.0.7"));
  REQUIRE(a.connect(b));
  REQUIRE(a.wait_for(app::shell_name));
  auto here = plugnode::test::spawn_idle(a.node().system());
  auto there = plugnode::test::spawn_idle(b.node().system());
  REQUIRE(runtime::groups(a.node(), a.node().group_scope()).join("workers", here));
  REQUIRE(runtime::groups(b.node(), b.node().group_scope()).join("workers", there));
  auto expected =
      a.name() + " " + std::to_string(here.id()) + "\n" + b.name() + " " + std::to_string(there.id()) + "\n";
  std::string answer;
  for (int i = 0; i < 100 && answer != expected; ++i, std::this_thread::sleep_for(20ms))
    answer = shell(a, "members workers"); // b's join reaches a one message later
  CHECK(answer == expected);
  CHECK(shell(a, "members nobody").empty());
  CHECK(shell(a, "groups") == "workers 2\n");
  caf::anon_send_exit(here, caf::exit_reason::user_shutdown);
  caf::anon_send_exit(there, caf::exit_reason::user_shutdown);
}
