// The remote shell driven through a pipe against a real cluster: two nodes joined by static discovery, a
// third outside it, a name where nothing runs, and a local dnsmasq for nslookup.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <memory>
#include <thread>

#include "dns_servers.hpp"
#include "plugnode/test/ports.hpp"
#include "running_node.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  for (auto end = text.find('\n'); end != std::string::npos; end = text.find('\n', start)) {
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

} // namespace

TEST_CASE("remote_console through a pipe: nodes, ping, connect, nslookup, Elixir spellings", "[shell]") {
  dnsmasq_server dns(
      {{{"_dist._tcp.app.default.svc.cluster.local", "app-0.app.default.svc.cluster.local", 4370}},
       {{"app-0.app.default.svc.cluster.local", "127.0.0.2"}}});
  auto dist = free_port("127.0.0.2");
  env_map cluster{{"PLUGNODE_DISCOVERY", "static"},
                  {"PLUGNODE_STATIC_NODES", "app@127.0.0.2,app@127.0.0.3"},
                  {"PLUGNODE_DNS_SERVER", "127.0.0.1:" + std::to_string(dns.port())}};
  running_node a("app", "127.0.0.2", dist, cluster);
  running_node b("app", "127.0.0.3", dist, cluster);
  running_node c("app", "127.0.0.4", dist);
  REQUIRE(eventually(
      [&] {
        return run_plugnode({"rpc", "nodes"}, a.client_env()).output == "app@127.0.0.3\n";
      },
      10s));

  auto shell = run_plugnode({"remote_console"}, a.client_env(),
                            "nodes\n"
                            "Node.list\n"
                            "Node.self()\n"
                            "ping app@127.0.0.3\n"
                            "ping app@127.0.0.5\n"
                            "Node.ping(:\"app@127.0.0.3\")\n"
                            "Node.ping(:'app@127.0.0.5')\n"
                            "connect app@127.0.0.5\n"
                            "Node.connect(:\"app@127.0.0.4\")\n"
                            "nodes\n"
                            "disconnect app@127.0.0.4\n"
                            "levitate\n"
                            "nslookup _dist._tcp.app.default.svc.cluster.local srv\n"
                            ":inet_res.nslookup('app-0.app.default.svc.cluster.local', :in, :a)\n"
                            "status\n"
                            "quit\n"
                            "nodes\n");
  INFO(shell.output);
  CHECK(shell.exit_code == 0);
  auto out = shell.output;
  auto lines = lines_of(out);
  REQUIRE(lines.size() > 12);
  std::vector<std::string> expected{"app@127.0.0.3",
                                    "[:\"app@127.0.0.3\"]",
                                    ":\"app@127.0.0.2\"",
                                    "pong",
                                    "pang",
                                    ":pong",
                                    ":pang",
                                    "false",
                                    "true",
                                    "app@127.0.0.3",
                                    "app@127.0.0.4",
                                    "true",
                                    "unknown command: levitate"};
  CHECK(std::vector<std::string>(lines.begin(), lines.begin() + 13) == expected);
  CHECK_THAT(out, Catch::Contains("commands:")); // help after an unknown command, and the shell goes on
  CHECK_THAT(out, Catch::Contains("app-0.app.default.svc.cluster.local") && Catch::Contains("4370"));
  CHECK_THAT(out, Catch::Contains("127.0.0.2"));
  CHECK_THAT(out, Catch::Contains("unknown: no check yet (checker off)"));

  // One-shot: a lookup that answers exits 0, one that fails (NXDOMAIN) exits 1 with the error.
  auto found = run_plugnode({"rpc", "nslookup app-0.app.default.svc.cluster.local a"}, a.client_env());
  CHECK(found.exit_code == 0);
  CHECK_THAT(found.output, Catch::Contains("127.0.0.2"));
  auto missing = run_plugnode({"rpc", "nslookup nosuch.app.default.svc.cluster.local a"}, a.client_env());
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.output, Catch::Contains("nosuch.app.default.svc.cluster.local"));
}

TEST_CASE("the console sees itself as a hidden node, and exit leaves before the next line", "[shell]") {
  running_node a("app", "127.0.0.2", free_port("127.0.0.2"));
  // `nodes connected` lists every kind from one answer of the agent: here the console's own connection.
  auto shell = run_plugnode({"remote_console"}, a.client_env(), "nodes connected\n  exit  \nself\n");
  INFO(shell.output);
  CHECK(shell.exit_code == 0);
  CHECK_THAT(shell.output, Catch::StartsWith("remsh-") && Catch::Contains("@localhost\n"));
  CHECK_THAT(shell.output, !Catch::Contains("app@127.0.0.2")); // `self` never ran
}

TEST_CASE("a lost node ends the shell with a clear message", "[shell]") {
  running_node a("app", "127.0.0.2", free_port("127.0.0.2"));
  // The shell's input stays open (sleep) while the node is killed under it.
  auto env = a.client_env();
  std::string command = "{ echo nodes; sleep 2; echo nodes; } | exec \"$0\" remote_console";
  auto shell =
      std::make_unique<process>(std::vector<std::string>{"/bin/sh", "-c", command, plugnode_binary()}, env);
  std::this_thread::sleep_for(1s);
  a.proc().signal(SIGKILL);
  auto code = shell->wait(20s);
  INFO(shell->output());
  CHECK(code == 1);
  CHECK_THAT(shell->output(), Catch::Contains("plugnode: lost the connection to app@127.0.0.2"));
}

TEST_CASE("a node lost while the shell waits at its prompt ends the shell at once", "[shell]") {
  running_node a("app", "127.0.0.2", free_port("127.0.0.2"));
  // The shell reads a FIFO whose writer sends one line, then stays silent far longer than the test waits.
  auto dir = std::string(::mkdtemp(std::string("/tmp/plugnode-shell-XXXXXX").data()));
  auto fifo = dir + "/in";
  REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  process writer({"/bin/sh", "-c", "exec >\"$0\"; echo Node.self; exec sleep 30", fifo});
  process shell({"/bin/sh", "-c", "exec \"$0\" remote_console <\"$1\"", plugnode_binary(), fifo},
                a.client_env());
  REQUIRE(eventually([&] { return shell.output().find("app@127.0.0.2") != std::string::npos; }, 10s));
  a.proc().signal(SIGKILL);
  CHECK(shell.wait(10s) == 1);
  CHECK_THAT(shell.output(), Catch::Contains("lost the connection to app@127.0.0.2"));
  ::unlink(fifo.c_str());
  ::rmdir(dir.c_str());
}
