// process: a child process for integration tests (a plugnode node, dnsmasq, ...), with its output captured to
// a file the test can read, and killed when the test object goes away so no test leaves processes behind.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace plugnode::test {

class process {
public:
  // Starts argv[0] (a path) with the current environment plus `env` (and minus entries whose value is unset).
  process(std::vector<std::string> argv, std::map<std::string, std::optional<std::string>> env = {});
  ~process();
  process(const process&) = delete;
  process& operator=(const process&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for the exit; returns the exit code (128+signal when killed), or nullopt on timeout.
  std::optional<int> wait(std::chrono::milliseconds timeout);
  bool running();
  // Everything the process wrote to stdout and stderr so far.
  std::string output() const;

private:
  pid_t pid_ = -1;
  std::optional<int> status_;
  std::string output_path_;
};

// Polls `condition` every 10 ms until it holds or `timeout` passes; returns whether it held.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds timeout);

// The path of the plugnode binary under test.
std::string plugnode_binary();

} // namespace plugnode::test
