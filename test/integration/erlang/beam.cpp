// The epmd and BEAM processes of beam.hpp.
#include "beam.hpp"

#include <catch2/catch.hpp>

#include <random>

#include "plugnode/erlang/side.hpp"
#include "plugnode/test/ports.hpp"

namespace plugnode::test {

using namespace std::chrono_literals;

test_epmd::test_epmd() : port_(free_port("127.0.0.1")) {
  process_ = std::make_unique<process>(
      std::vector<std::string>{"/usr/bin/epmd", "-port", std::to_string(port_), "-address", "127.0.0.1"});
  REQUIRE(eventually([&] { return port_open("127.0.0.1", port_); }, 10s));
}

std::string beam_name(const std::string& prefix) {
  static std::mt19937 random{std::random_device{}()};
  return prefix + std::to_string(random() % 1000000) + "@127.0.0.1";
}

std::unique_ptr<process> start_beam(const test_epmd& epmd, const std::string& name, const std::string& cookie,
                                    const std::string& script) {
  // -start_epmd false: the test's epmd is the one; a node must not start a system-wide one.
  return std::make_unique<process>(
      std::vector<std::string>{"/usr/bin/elixir", "--name", name, "--cookie", cookie, "--erl",
                               "-start_epmd false", "-e", script},
      std::map<std::string, std::optional<std::string>>{{"ERL_EPMD_PORT", std::to_string(epmd.port())}});
}

std::string run_beam(const test_epmd& epmd, const std::string& name, const std::string& cookie,
                     const std::string& script, std::chrono::milliseconds timeout) {
  auto beam = start_beam(epmd, name, cookie, script);
  auto code = beam->wait(timeout);
  INFO(beam->output());
  CHECK(code == 0);
  return beam->output();
}

std::string script_for(const running_node& node, const std::string& body) {
  return "n = :\"" + node.name() + "\"\n" + body;
}

env_map erlang_env(const test_epmd& epmd, const std::string& address) {
  return {{"PLUGNODE_ERLANG_DIST", "true"},
          {"PLUGNODE_ERLANG_DIST_PORT", std::to_string(free_port(address))},
          {"ERL_EPMD_PORT", std::to_string(epmd.port())}};
}

runtime::node_options erlang_node_options(const test_epmd& epmd, const std::string& cookie,
                                          std::uint16_t* erlang_port, std::set<std::string> exported) {
  runtime::node_options options;
  options.name = *runtime::node_name::parse("plugnode@127.0.0.2");
  options.port = free_port("127.0.0.2");
  options.cookie = cookie;
  plugnode::erlang::dist_options beam_side;
  beam_side.enabled = true;
  beam_side.port = free_port("127.0.0.2");
  beam_side.epmd_port = epmd.port();
  beam_side.exported = std::move(exported);
  if (erlang_port != nullptr)
    *erlang_port = beam_side.port;
  options.erlang = plugnode::erlang::side(beam_side);
  return options;
}

} // namespace plugnode::test
