// cluster_harness: starts cluster_test_node processes on 127.0.0.x with a shared distribution port and
// sends them commands over their control ports. Every wait is bounded; processes die with the test.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "plugnode/test/process.hpp"

namespace plugnode::test {

struct cluster_node_options {
  std::string cookie = "test-cookie";
  bool hidden = false;
  bool listen = true;
  int heartbeat_ms = 200;
  int bound_ms = 1500;
  int connect_timeout_ms = 2000;
  std::vector<std::string> extra_args; // TLS files, supervision, ...
  std::vector<std::string> launcher;   // a command the node runs under (unshare), before its own argv
};

class cluster_node {
public:
  // Starts `app@<address>` on `port` and waits (bounded) until it is ready or has failed.
  cluster_node(const std::string& address, std::uint16_t port, cluster_node_options options = {});

  const std::string& name() const { return name_; }
  bool ready() const { return ready_; }
  // Runs one control command; the answer, or "error: ..." when the node does not answer within `timeout`.
  std::string cmd(const std::string& line, std::chrono::seconds timeout = std::chrono::seconds(10));
  process& proc() { return *proc_; }
  std::string output() const { return proc_->output(); }

private:
  std::string name_;
  std::uint16_t control_port_ = 0;
  bool ready_ = false;
  std::unique_ptr<process> proc_;
};

// A distribution port free on every one of `addresses` right now.
std::uint16_t shared_free_port(const std::vector<std::string>& addresses);

// Polls `node.cmd(line)` until it answers `expected` or `timeout` passes; returns the last answer.
std::string wait_for_answer(cluster_node& node, const std::string& line, const std::string& expected,
                            std::chrono::milliseconds timeout);

} // namespace plugnode::test
