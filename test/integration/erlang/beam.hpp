// beam: real BEAM nodes for the mixed-cluster tests. Each test gets an epmd of its own on 127.0.0.1 and a
// fresh port (ERL_EPMD_PORT, given to the BEAM nodes and the plugnode nodes alike), so tests running at once
// never share a registry; BEAM nodes are Elixir scripts (`elixir --name ... -e SCRIPT`).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>

#include "plugnode/runtime/node.hpp"
#include "plugnode/test/process.hpp"
#include "running_node.hpp"

namespace plugnode::test {

class test_epmd {
public:
  test_epmd(); // starts `epmd -port P -address 127.0.0.1` and waits until it answers
  std::uint16_t port() const { return port_; }

private:
  std::uint16_t port_;
  std::unique_ptr<process> process_;
};

// A name for a BEAM node on 127.0.0.1, unique per call: `<prefix><random>@127.0.0.1`.
std::string beam_name(const std::string& prefix);

// Starts an Elixir script as node `name` (long names) with `cookie`, registered with `epmd`.
std::unique_ptr<process> start_beam(const test_epmd& epmd, const std::string& name, const std::string& cookie,
                                    const std::string& script);

// Runs the script to its end (at most `timeout`); its output.
std::string run_beam(const test_epmd& epmd, const std::string& name, const std::string& cookie,
                     const std::string& script, std::chrono::milliseconds timeout = std::chrono::seconds(30));

// An Elixir script with `n` bound to `node`'s name, then `body`.
std::string script_for(const running_node& node, const std::string& body);

// The variables that give a plugnode node its Erlang listener: on, a fresh port on `address`, `epmd`'s port.
env_map erlang_env(const test_epmd& epmd, const std::string& address);

// The same for a node in the test's own process: plugnode@127.0.0.2 with `cookie`, fresh ports (its Erlang
// port in `erlang_port` when given); BEAM nodes reach the actors registered under `exported`.
runtime::node_options erlang_node_options(const test_epmd& epmd, const std::string& cookie,
                                          std::uint16_t* erlang_port = nullptr,
                                          std::set<std::string> exported = {});

} // namespace plugnode::test
