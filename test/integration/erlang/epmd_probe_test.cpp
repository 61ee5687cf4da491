// epmd_probe: how a node tells, before dialling a name, whether a BEAM node or a plugnode node is behind
// it. Asked of a real epmd (where BEAM nodes, and plugnode nodes sharing a host with one, register) and of a
// plugnode node's own EPMD answer.
#include <catch2/catch.hpp>

#include "beam.hpp"
#include "epmd/epmd_probe.hpp"
#include "plugnode/test/ports.hpp"

using namespace plugnode::test;
using plugnode::erlang::detail::probe_epmd;
using namespace std::chrono_literals;

namespace {

const std::string cookie = "probe-cookie";

std::string alive_of(const std::string& node) {
  return node.substr(0, node.find('@'));
}

} // namespace

TEST_CASE("the EPMD probe tells a BEAM node from a plugnode node and from nothing", "[erlang]") {
  test_epmd epmd;
  auto beam_node = beam_name("probed");
  auto beam = start_beam(epmd, beam_node, cookie, "IO.puts(\"ready\")\nProcess.sleep(30000)");
  REQUIRE(eventually([&] { return beam->output().find("ready") != std::string::npos; }, 20s));

  // A BEAM node registers as a normal node; EPMD also gives its distribution port.
  auto found = probe_epmd("127.0.0.1", epmd.port(), alive_of(beam_node), 1s);
  CHECK(found.beam);
  CHECK(found.dist_port != 0);
  CHECK_FALSE(probe_epmd("127.0.0.1", epmd.port(), "nobody", 1s).beam);

  // A plugnode node answering EPMD itself, on its own address: a hidden C node, not BEAM.
  auto env = erlang_env(epmd, "127.0.0.2");
  running_node own("plugnode", "127.0.0.2", free_port("127.0.0.2"), env, cookie);
  auto answer = probe_epmd("127.0.0.2", epmd.port(), "plugnode", 1s);
  CHECK_FALSE(answer.beam);
  CHECK(std::to_string(answer.dist_port) == env["PLUGNODE_ERLANG_DIST_PORT"]);

  // A plugnode node on a host whose epmd holds the port registers there (ei_publish): still not BEAM.
  auto shared_env = erlang_env(epmd, "127.0.0.1");
  running_node shared("shared", "127.0.0.1", free_port("127.0.0.1"), shared_env, cookie);
  auto registered = probe_epmd("127.0.0.1", epmd.port(), "shared", 1s);
  CHECK_FALSE(registered.beam);
  CHECK(std::to_string(registered.dist_port) == shared_env["PLUGNODE_ERLANG_DIST_PORT"]);

  // Nothing listening: an answer at once, not a wait for the bound.
  auto started = std::chrono::steady_clock::now();
  CHECK_FALSE(probe_epmd("127.0.0.9", free_port("127.0.0.9"), "anyone", 2s).beam);
  CHECK(std::chrono::steady_clock::now() - started < 1s);
}
