// bench_erlang_cast: the plugnode -> BEAM half of test/bench/erlang/run. A plugnode node of its own (the
// runtime a service links, its Erlang listener on) sends COUNT messages `{:tick, i}` with
// erlang::cast_erlang to the process registered as NAME on TARGET, a BEAM node, the way a service would:
// MODE `once` looks the node's Erlang side up once (erlang_side_of), `each` passes the agent (a lookup per
// message). The BEAM side counts: `{:expect, COUNT}` (a call) starts its clock, `:result` (a call, behind the
// messages on the same connection) answers `{received, microseconds}`; printed as "received microseconds".
//   bench_erlang_cast NODE COOKIE DIST_PORT ERLANG_PORT EPMD_PORT TARGET NAME COUNT MODE
#include <caf/actor_system.hpp>
#include <caf/scoped_actor.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <string>

#include "plugnode/erlang/call.hpp"
#include "plugnode/erlang/side.hpp"
#include "plugnode/erlang/term_format.hpp"
#include "plugnode/runtime/node.hpp"

namespace runtime = plugnode::runtime;
namespace erlang = plugnode::erlang;
using namespace std::chrono_literals;

namespace {

int fail(const std::string& why) {
  std::cerr << "bench_erlang_cast: " << why << "\n";
  return 1;
}

std::uint16_t port_arg(const char* text) {
  return static_cast<std::uint16_t>(std::stoul(text));
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 10)
    return fail(
        "usage: bench_erlang_cast NODE COOKIE DIST_PORT ERLANG_PORT EPMD_PORT TARGET NAME COUNT MODE");
  auto name = runtime::node_name::parse(argv[1]);
  if (!name)
    return fail(std::string("bad node name ") + argv[1]);
  runtime::node_options options;
  options.name = *name;
  options.cookie = argv[2];
  options.port = port_arg(argv[3]);
  plugnode::erlang::dist_options beam_side;
  beam_side.enabled = true;
  beam_side.port = port_arg(argv[4]);
  beam_side.epmd_port = port_arg(argv[5]);
  options.erlang = plugnode::erlang::side(beam_side);
  std::string target = argv[6], registered = argv[7];
  std::int64_t count = std::stoll(argv[8]);
  if (count < 1 || count > 10'000'000)
    return fail("COUNT must be 1..10000000");
  std::string mode = argv[9];
  if (mode != "once" && mode != "each")
    return fail("MODE must be once or each");

  runtime::node node(options);
  if (auto error = node.start())
    return fail(*error);
  caf::scoped_actor self{node.system()};
  auto erlang = erlang::erlang_side_of(self, node.agent());
  if (!erlang)
    return fail("no Erlang side: " + node.system().render(erlang.error()));
  auto expect = erlang::call_erlang(self, *erlang, registered, target,
                                    erlang::tuple_of(erlang::atom_of("expect"), count), 10s);
  if (!expect)
    return fail("expect: " + node.system().render(expect.error()));
  for (std::int64_t i = 1; i <= count; ++i) {
    auto tick = erlang::tuple_of(erlang::atom_of("tick"), i);
    if (mode == "once")
      erlang::cast_erlang(self, *erlang, registered, target, tick);
    else if (auto error = erlang::cast_erlang(self, node.agent(), registered, target, tick))
      return fail("cast: " + node.system().render(error));
  }
  // Bounded: the messages are ahead of this call on the same connection.
  auto result = erlang::call_erlang(self, *erlang, registered, target, erlang::atom_of("result"), 120s);
  if (!result)
    return fail("result: " + node.system().render(result.error()));
  auto t = result->get_if<erlang::tuple>();
  if (t == nullptr || t->elements.size() != 2 || !t->elements[0].is<std::int64_t>() ||
      !t->elements[1].is<std::int64_t>())
    return fail("result: unexpected " + erlang::to_string(*result));
  std::cout << *t->elements[0].get_if<std::int64_t>() << " " << *t->elements[1].get_if<std::int64_t>()
            << "\n";
  return 0;
}
