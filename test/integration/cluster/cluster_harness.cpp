// The cluster test harness; see cluster_harness.hpp.
#include "cluster_harness.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <httplib.h>

#include <stdexcept>

#include "plugnode/test/ports.hpp"

namespace plugnode::test {
namespace {

bool bindable(const std::string& address, std::uint16_t port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  ::inet_pton(AF_INET, address.c_str(), &addr.sin_addr);
  bool ok = ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return ok;
}

} // namespace

cluster_node::cluster_node(const std::string& address, std::uint16_t port, cluster_node_options options)
    : name_((options.hidden ? "shell@" : "app@") + address) {
  std::vector<std::string> argv{CLUSTER_TEST_NODE,
                                "--name",
                                name_,
                                "--addr",
                                address,
                                "--port",
                                std::to_string(port),
                                "--cookie",
                                options.cookie,
                                "--heartbeat",
                                std::to_string(options.heartbeat_ms),
                                "--bound",
                                std::to_string(options.bound_ms),
                                "--connect-timeout",
                                std::to_string(options.connect_timeout_ms)};
  if (options.hidden)
    argv.emplace_back("--hidden");
  if (!options.listen)
    argv.emplace_back("--no-listen");
  argv.insert(argv.end(), options.extra_args.begin(), options.extra_args.end());
  argv.insert(argv.begin(), options.launcher.begin(), options.launcher.end());
  proc_ = std::make_unique<process>(argv);
  ready_ = eventually(
      [this] {
        auto out = proc_->output();
        return out.find("READY") != std::string::npos || out.find("START FAILED") != std::string::npos ||
               !proc_->running();
      },
      std::chrono::seconds(10));
  // The node binds its control port itself and names it: "READY <name> control <port>".
  auto out = proc_->output();
  auto at = out.find("READY");
  auto control = out.find(" control ", at);
  ready_ = ready_ && at != std::string::npos && control != std::string::npos;
  if (ready_)
    control_port_ = static_cast<std::uint16_t>(std::stoi(out.substr(control + 9)));
}

std::string cluster_node::cmd(const std::string& line, std::chrono::seconds timeout) {
  httplib::Client client("127.0.0.1", control_port_);
  client.set_connection_timeout(2, 0);
  client.set_read_timeout(static_cast<time_t>(timeout.count()), 0);
  auto res = client.Post("/", line, "text/plain");
  if (!res)
    return "error: no answer from " + name_;
  return res->body;
}

std::uint16_t shared_free_port(const std::vector<std::string>& addresses) {
  for (int attempt = 0; attempt < 100; ++attempt) {
    auto port = free_port(addresses.front());
    bool all_free = true;
    for (auto& address : addresses)
      all_free = all_free && bindable(address, port);
    if (all_free)
      return port;
  }
  throw std::runtime_error("no port free on all addresses");
}

std::string wait_for_answer(cluster_node& node, const std::string& line, const std::string& expected,
                            std::chrono::milliseconds timeout) {
  std::string last;
  eventually(
      [&] {
        last = node.cmd(line);
        return last == expected;
      },
      timeout);
  return last;
}

} // namespace plugnode::test
