// running_node: a `plugnode foreground` process on a loopback address with fresh ports, for the node tests,
// and `plugnode <command>` runs against it (stdin fed through a pipe, as scripts drive the shell).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "plugnode/test/process.hpp"

namespace plugnode::test {

using env_map = std::map<std::string, std::optional<std::string>>;

class running_node {
public:
  // Starts `app@address` with its HTTP and distribution ports on `address`; `extra` adds or overrides
  // variables. Waits until HTTP answers.
  running_node(std::string app, std::string address, std::uint16_t dist_port, env_map extra = {},
               std::string cookie = "test-cookie");

  std::string name() const { return app_ + "@" + address_; }
  const std::string& address() const { return address_; }
  std::uint16_t http_port() const { return http_port_; }
  process& proc() { return *process_; }
  // The variables a command uses to reach this node (PLUGNODE_NODE, PLUGNODE_DIST_PORT, PLUGNODE_COOKIE).
  env_map client_env() const;

private:
  std::string app_;
  std::string address_;
  std::uint16_t http_port_;
  std::uint16_t dist_port_;
  std::string cookie_;
  std::unique_ptr<process> process_;
};

struct command_result {
  int exit_code = -1;
  std::string output; // stdout and stderr
};

// The variables of `plugnode console` as a single node con@127.0.0.1 with HTTP on `http_port` (no cookie).
env_map console_env(std::uint16_t http_port);

// Runs `plugnode args...` with `env`, `input` on its stdin through a pipe; waits at most 20 s.
command_result run_plugnode(const std::vector<std::string>& args, const env_map& env,
                            const std::string& input = "");

// The raw bytes of the response to `GET target` (Connection: close), as they came over the socket: for what
// an HTTP client library would decode before a test sees it (percent escapes in header values).
std::string raw_get(const std::string& address, std::uint16_t port, const std::string& target);

// VmRSS of a process in kB, from /proc/PID/status.
long rss_kb(int pid);

// Whether a thread of a process blocks `sig` (it set its mask), from /proc/PID/task/*/status.
bool blocks_signal(int pid, int sig);

// The CPU time a process used so far (user and system, all threads) in seconds, from /proc/PID/stat.
double cpu_seconds(int pid);

} // namespace plugnode::test
