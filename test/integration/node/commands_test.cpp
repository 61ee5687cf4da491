// Every command of the binary, as operators and probes run it: one-shot commands against a real running
// node over the distribution port, with the cookie; usage errors; what describe shows.
#include <catch2/catch.hpp>

#include "dns_servers.hpp"
#include "plugnode/test/ports.hpp"
#include "running_node.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

TEST_CASE("version and help", "[commands]") {
  auto version = run_plugnode({"version"}, {});
  CHECK(version.exit_code == 0);
  CHECK_THAT(version.output, Catch::Matches("plugnode \\d+\\.\\d+\\.\\d+\n"));
  auto help = run_plugnode({"help"}, {});
  CHECK(help.exit_code == 0);
  for (auto word :
       {"foreground", "console", "remote_console", "rpc", "ping", "stop", "pid", "describe", "version",
        "--http-port", "--cookie-file", "--check-url", "HTTP_PORT", "PLUGNODE_DISCOVERY"}) {
    INFO(word);
    CHECK_THAT(help.output, Catch::Contains(word));
  }
}

TEST_CASE("unknown commands and bad flags: usage on stderr, exit 2", "[commands]") {
  for (std::vector<std::string> args :
       {std::vector<std::string>{"levitate"}, {"--levitate", "foreground"}, {}, {"rpc"}, {"ping", "extra"}}) {
    auto r = run_plugnode(args, {});
    INFO(r.output);
    CHECK(r.exit_code == 2);
    CHECK_THAT(r.output, Catch::Contains("Usage"));
  }
}

TEST_CASE("a bad value stops any command with one line naming the flag or variable", "[commands]") {
  auto flag = run_plugnode({"describe", "--check-interval", "often"}, {});
  CHECK(flag.exit_code == 2);
  CHECK(flag.output == "plugnode: --check-interval: 'often' is not a duration such as 500ms, 5s, 2m or 1h\n");
  auto env = run_plugnode({"foreground"}, {{"PLUGNODE_DISCOVERY", "gossip"}});
  CHECK(env.exit_code == 2);
  CHECK(env.output ==
        "plugnode: PLUGNODE_DISCOVERY: 'gossip' is not a discovery strategy (none, static, k8s-srv, "
        "k8s-a)\n");
  auto flags_win = run_plugnode({"describe", "--http-port", "4100"}, {{"HTTP_PORT", "nonsense"}});
  CHECK(flags_win.exit_code == 0);
}

TEST_CASE("describe shows the settings and where the cookie came from, never the cookie", "[commands]") {
  auto r = run_plugnode({"describe", "--node", "app@127.0.0.2"},
                        {{"PLUGNODE_COOKIE", "do-not-print-me"},
                         {"PLUGNODE_DISCOVERY", "static"},
                         {"PLUGNODE_STATIC_NODES", "app@127.0.0.2,app@127.0.0.3"},
                         {"CHECK_HOST", "127.0.0.1:9"}});
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("app@127.0.0.2"));
  CHECK_THAT(r.output, Catch::Contains("from PLUGNODE_COOKIE"));
  CHECK_THAT(r.output, Catch::Contains("static, nodes app@127.0.0.2 app@127.0.0.3"));
  CHECK_THAT(r.output, Catch::Contains("HEAD http://127.0.0.1:9/"));
  CHECK_THAT(r.output, Catch::Contains("requests answered 503 after 30s"));
  CHECK_THAT(r.output, !Catch::Contains("do-not-print-me"));
}

TEST_CASE("ping, pid, rpc and stop against a running node", "[commands]") {
  running_node node("app", "127.0.0.1", free_port());
  auto env = node.client_env();

  auto ping = run_plugnode({"ping"}, env);
  INFO(ping.output);
  CHECK(ping.exit_code == 0);
  CHECK(ping.output == "pong\n");

  auto pid = run_plugnode({"pid"}, env);
  CHECK(pid.exit_code == 0);
  CHECK(pid.output == std::to_string(node.proc().pid()) + "\n");

  auto nodes = run_plugnode({"rpc", "nodes"}, env);
  CHECK(nodes.exit_code == 0);
  CHECK(nodes.output.empty()); // the rpc client itself is hidden

  auto self = run_plugnode({"rpc", "Node.self"}, env);
  CHECK(self.output == ":\"" + node.name() + "\"\n");

  auto unknown = run_plugnode({"rpc", "levitate"}, env);
  CHECK(unknown.exit_code == 1);
  CHECK_THAT(unknown.output, Catch::StartsWith("unknown command: levitate\n"));

  auto stop = run_plugnode({"stop"}, env);
  CHECK(stop.exit_code == 0);
  CHECK(node.proc().wait(10s) == 0);
  CHECK_THAT(node.proc().output(), Catch::Contains("stopped"));
}

TEST_CASE("commands reach a node whose name only PLUGNODE_DNS_SERVER knows", "[commands]") {
  const std::string host = "plugnode-0.plugnode.default.svc.cluster.local";
  dns_zone zone;
  zone.hosts.push_back({host, "127.0.0.1"});
  dnsmasq_server dns(zone);
  auto server = dns.address().to_string();
  running_node node("app", "127.0.0.1", free_port(),
                    {{"PLUGNODE_NODE", "plugnode@" + host},
                     {"PLUGNODE_DIST_ADDR", "127.0.0.1"},
                     {"PLUGNODE_DNS_SERVER", server}});
  auto env = node.client_env();
  env["PLUGNODE_NODE"] = "plugnode@" + host;
  env["PLUGNODE_DNS_SERVER"] = server;
  for (const char* command : {"ping", "pid"}) {
    auto r = run_plugnode({command}, env);
    INFO(command << ": " << r.output);
    CHECK(r.exit_code == 0);
  }
  auto nodes = run_plugnode({"rpc", "nodes"}, env);
  INFO(nodes.output);
  CHECK(nodes.exit_code == 0);
  // libc's resolver does not know the name: without the server the same command cannot join.
  env["PLUGNODE_DNS_SERVER"] = std::nullopt;
  auto without = run_plugnode({"rpc", "nodes"}, env);
  CHECK(without.exit_code == 1);
  CHECK_THAT(without.output, Catch::StartsWith("plugnode: cannot join plugnode@" + host));
}

TEST_CASE("a wrong cookie or no node: pang / one line, exit 1", "[commands]") {
  running_node node("app", "127.0.0.1", free_port());
  auto wrong = node.client_env();
  wrong["PLUGNODE_COOKIE"] = "not-the-cookie";
  auto ping = run_plugnode({"ping"}, wrong);
  CHECK(ping.exit_code == 1);
  CHECK_THAT(ping.output, Catch::StartsWith("pang\n"));
  auto shell = run_plugnode({"remote_console"}, wrong, "nodes\n");
  CHECK(shell.exit_code == 1);
  CHECK_THAT(shell.output, Catch::StartsWith("plugnode: cannot join app@127.0.0.1"));
  // The node answered the handshake and refused the proof: the client can tell that from a dead node.
  CHECK_THAT(shell.output, Catch::Contains("wrong cookie"));
  CHECK(std::count(shell.output.begin(), shell.output.end(), '\n') == 1);
  CHECK_THAT(node.proc().output(), Catch::Contains("cookie")); // the node logs the refusal

  auto nobody = node.client_env();
  nobody["PLUGNODE_DIST_PORT"] = std::to_string(free_port());
  auto start = std::chrono::steady_clock::now();
  auto none = run_plugnode({"ping"}, nobody);
  CHECK(none.exit_code == 1);
  CHECK_THAT(none.output, Catch::StartsWith("pang\n"));
  CHECK(std::chrono::steady_clock::now() - start < 8s);
  auto rpc = run_plugnode({"rpc", "nodes"}, nobody);
  CHECK(rpc.exit_code == 1);
  CHECK_THAT(rpc.output, Catch::StartsWith("plugnode: cannot join"));
  CHECK_THAT(rpc.output,
             Catch::Contains("cannot connect to 127.0.0.1:" + nobody["PLUGNODE_DIST_PORT"].value()));
  CHECK_THAT(rpc.output, !Catch::Contains("cookie"));
}

TEST_CASE("console: a node with the shell on its own stdin, the end of the input stops it", "[commands]") {
  auto port = free_port();
  auto r = run_plugnode({"console"}, console_env(port), "Node.self\nping con@127.0.0.1\nnodes\n");
  INFO(r.output);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("\n:\"con@127.0.0.1\"\npong\n"));
  CHECK_THAT(r.output, Catch::Contains("stopped"));
  CHECK_FALSE(port_open("127.0.0.1", port));
}
