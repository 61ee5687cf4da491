// The node processes and command runs of running_node.hpp.
#include "running_node.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

#include "plugnode/test/ports.hpp"
#include "plugnode/test/raw_client.hpp"

namespace plugnode::test {

using namespace std::chrono_literals;

running_node::running_node(std::string app, std::string address, std::uint16_t dist_port, env_map extra,
                           std::string cookie)
    : app_(std::move(app)), address_(std::move(address)), http_port_(free_port(address_)),
      dist_port_(dist_port), cookie_(std::move(cookie)) {
  env_map env{{"HTTP_PORT", std::to_string(http_port_)},
              {"PLUGNODE_HTTP_ADDR", address_},
              {"PLUGNODE_NODE", name()},
              {"PLUGNODE_DIST_PORT", std::to_string(dist_port_)},
              {"PLUGNODE_COOKIE", cookie_},
              {"PLUGNODE_COOKIE_FILE", std::nullopt},
              {"ERLANG_COOKIE", std::nullopt}};
  for (auto& [k, v] : extra)
    env[k] = v;
  process_ = std::make_unique<process>(std::vector<std::string>{plugnode_binary(), "foreground"}, env);
  REQUIRE(eventually([&] { return port_open(address_, http_port_) || !process_->running(); }, 15s));
  INFO(process_->output());
  REQUIRE(process_->running());
}

env_map running_node::client_env() const {
  return {{"PLUGNODE_NODE", name()},       {"PLUGNODE_DIST_PORT", std::to_string(dist_port_)},
          {"PLUGNODE_COOKIE", cookie_},    {"PLUGNODE_COOKIE_FILE", std::nullopt},
          {"ERLANG_COOKIE", std::nullopt}, {"PLUGNODE_DISCOVERY", std::nullopt}};
}

env_map console_env(std::uint16_t http_port) {
  return {{"HTTP_PORT", std::to_string(http_port)},
          {"PLUGNODE_HTTP_ADDR", "127.0.0.1"},
          {"PLUGNODE_NODE", "con@127.0.0.1"},
          {"PLUGNODE_COOKIE", std::nullopt},
          {"ERLANG_COOKIE", std::nullopt}};
}

command_result run_plugnode(const std::vector<std::string>& args, const env_map& env,
                            const std::string& input) {
  // sh feeds the input through a real pipe, so the shell sees a non-terminal stdin as a script would give it.
  std::string command = "printf '%s' \"$PLUGNODE_TEST_INPUT\" | exec \"$0\"";
  for (std::size_t i = 0; i < args.size(); ++i)
    command += " \"$" + std::to_string(i + 1) + "\"";
  std::vector<std::string> argv{"/bin/sh", "-c", command, plugnode_binary()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto full_env = env;
  full_env["PLUGNODE_TEST_INPUT"] = input;
  process p(argv, full_env);
  command_result result;
  result.exit_code = p.wait(20s).value_or(-1);
  result.output = p.output();
  return result;
}

std::string raw_get(const std::string& address, std::uint16_t port, const std::string& target) {
  raw_client client(address, port);
  if (!client.send("GET " + target + " HTTP/1.1\r\nHost: " + address + "\r\nConnection: close\r\n\r\n"))
    return "";
  return client.read_to_end(20s);
}

namespace {

// The value of one field of /proc/PID/status (or of a thread's, /proc/PID/task/TID/status), empty when the
// process is gone.
std::string status_field(const std::string& proc, const std::string& name) {
  std::ifstream status(proc + "/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(name + ":", 0) == 0)
      return line.substr(name.size() + 1);
  return "";
}

} // namespace

long rss_kb(int pid) {
  auto value = status_field("/proc/" + std::to_string(pid), "VmRSS");
  return value.empty() ? -1 : std::stol(value);
}

bool blocks_signal(int pid, int sig) {
  // A thread in sigwait shows the signals it waits for as unblocked: any thread's mask tells.
  std::error_code error;
  for (const auto& thread :
       std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task", error)) {
    auto mask = status_field(thread.path().string(), "SigBlk");
    if (!mask.empty() && (std::stoull(mask, nullptr, 16) >> (sig - 1) & 1) != 0)
      return true;
  }
  return false;
}

double cpu_seconds(int pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  // The command name (field 2) may hold spaces: count fields from its closing parenthesis. utime and stime
  // are fields 14 and 15, in clock ticks.
  std::istringstream fields(text.substr(text.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i)
    if (i >= 14)
      ticks += std::stod(field);
  return ticks / static_cast<double>(::sysconf(_SC_CLK_TCK));
}

} // namespace plugnode::test
