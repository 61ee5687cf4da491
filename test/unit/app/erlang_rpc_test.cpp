// erlang_rpc: what a BEAM operator's `:rpc.call(node, :plugnode, fun, args)` gets back, asked here the way
// the Erlang side asks it (a term through the node agent), on two kit nodes over loopback: each command's
// typed result as its own term kind, never text read back (the BEAM side of it:
// test/integration/erlang/beam_to_plugnode_test.cpp).
#include "plugnode/app/erlang_rpc.hpp"

#include <unistd.h>

#include <caf/all.hpp>
#include <catch2/catch.hpp>

#include "kit_nodes.hpp"
#include "plugnode/app/registered_names.hpp"
#include "plugnode/app/testing.hpp"
#include "plugnode/erlang/protocol.hpp"
#include "plugnode/erlang/term_format.hpp"
#include "plugnode/runtime/ask.hpp"
#include "plugnode/runtime/groups.hpp"
#include "plugnode/test/idle_actor.hpp"

using namespace plugnode;
using namespace std::chrono_literals;
using app::testing::kit_node_on;
using erlang::atom_of;
using erlang::list_of;
using erlang::term;
using erlang::tuple_of;

namespace {

// `:rpc.call(n, :plugnode, fun, args)` on `n`.
term rpc(app::test_node& n, const std::string& fun, term args = list_of()) {
  caf::scoped_actor self{n.node().system()};
  auto reply = runtime::ask<term>(
      *self.ptr(), n.node().agent(), 15s,
      runtime::to_registered(app::erlang_rpc_name, erlang::erlang_call_atom_v, tuple_of(atom_of(fun), args)));
  REQUIRE(reply);
  return *reply;
}

bool is_error(const term& t) {
  auto tuple = t.get_if<erlang::tuple>();
  return tuple && tuple->elements.size() == 2 && tuple->elements[0].is_atom("error") &&
         tuple->elements[1].is<erlang::binary>();
}

} // namespace

TEST_CASE("an rpc call's typed result comes back as its own term kind", "[erlang_rpc]") {
  app::service svc;
  svc.name = "kit";
  app::test_node a(svc, kit_node_on("127.0.0.6"));
  app::test_node b(svc, kit_node_on("127.0.0.7"));
  REQUIRE(a.connect(b));
  REQUIRE(a.wait_for(app::erlang_rpc_name));

  CHECK(rpc(a, "nodes") == list_of(atom_of(b.name())));
  CHECK(rpc(a, "nodes", list_of(atom_of("known"))) == list_of(atom_of(a.name()), atom_of(b.name())));
  CHECK(rpc(a, "nodes", list_of(atom_of("hidden"))) == list_of());
  CHECK(rpc(a, "self") == atom_of(a.name()));
  CHECK(rpc(a, "pid") == term(static_cast<std::int64_t>(::getpid())));
  CHECK(rpc(a, "ping", list_of(atom_of(b.name()))) == atom_of("pong"));
  CHECK(rpc(a, "ping", list_of(erlang::binary_of("nobody@127.0.0.9"))) == atom_of("pang"));
  CHECK(rpc(a, "disconnect", list_of(atom_of("nobody@127.0.0.9"))) == atom_of("false"));

  auto worker = plugnode::test::spawn_idle(a.node().system());
  runtime::groups(a.node(), a.node().group_scope()).join("workers", worker);
  CHECK(rpc(a, "groups") == list_of(tuple_of(erlang::binary_of("workers"), 1)));
  CHECK(rpc(a, "members", list_of(erlang::binary_of("workers"))) ==
        list_of(tuple_of(atom_of(a.name()), static_cast<std::int64_t>(worker.id()))));
  caf::anon_send_exit(worker, caf::exit_reason::user_shutdown);

  // What has no type of its own is the shell's text; what fails is {:error, text}.
  auto cluster = rpc(a, "cluster");
  REQUIRE(cluster.is<erlang::binary>());
  CHECK_THAT(cluster.get_if<erlang::binary>()->bytes, Catch::Contains("\"node\":\"" + a.name() + "\""));
  INFO(erlang::to_string(rpc(a, "ping", list_of(atom_of("not a node")))));
  CHECK(is_error(rpc(a, "ping", list_of(atom_of("not a node")))));
  CHECK(is_error(rpc(a, "levitate")));
  CHECK(is_error(rpc(a, "nodes", list_of(atom_of("sideways")))));
  CHECK(is_error(rpc(a, "ping", list_of(tuple_of(1, 2)))));
}
