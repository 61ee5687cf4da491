// The remote shell fed what a hostile or careless client sends: a line of a megabyte, a 30,000-character
// atom, a 40,000-character name to look up. Each gets a clear refusal, and the node answers the next command
// (a std::regex parser once overflowed the node's stack on these and killed it).
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <fstream>

#include "plugnode/test/ports.hpp"
#include "running_node.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

TEST_CASE("a 1 MB line is refused by the shell, which answers the next line", "[shell][hostile]") {
  running_node a("app", "127.0.0.2", free_port("127.0.0.2"));
  // Through a file: a megabyte does not fit in an argument or a variable of the run_plugnode pipe.
  auto dir = std::string(::mkdtemp(std::string("/tmp/plugnode-hostile-XXXXXX").data()));
  auto input = dir + "/in";
  std::ofstream(input) << std::string(1 << 20, 'a') << "\nNode.self\n";
  process shell({"/bin/sh", "-c", "exec \"$0\" remote_console <\"$1\"", plugnode_binary(), input},
                a.client_env());
  auto code = shell.wait(20s);
  INFO(shell.output());
  CHECK(code == 0);
  CHECK_THAT(shell.output(), Catch::Contains("command too long: more than 4096 bytes; nothing was run\n"
                                             ":\"app@127.0.0.2\"\n"));
  CHECK(a.proc().running());
  ::unlink(input.c_str());
  ::rmdir(dir.c_str());
}

TEST_CASE("long atoms and names get an error and the node lives", "[shell][hostile]") {
  running_node a("app", "127.0.0.2", free_port("127.0.0.2"));
  auto env = a.client_env();
  // Longer than a command may be: the client refuses them before sending.
  for (const auto& line : {"Node.ping(:\"" + std::string(30000, 'a') + "\")",
                           ":inet_res.nslookup('" + std::string(40000, 'a') + "', :in, :srv)"}) {
    auto r = run_plugnode({"rpc", line}, env);
    CHECK(r.exit_code == 1);
    CHECK(r.output == "command too long: more than 4096 bytes; nothing was run\n");
  }
  // Just under the bound: they reach the node's parser, and the name checks refuse them.
  auto ping = run_plugnode({"rpc", "Node.ping(:\"" + std::string(4000, 'a') + "\")"}, env);
  CHECK(ping.exit_code == 1);
  CHECK_THAT(ping.output, Catch::Contains("is not a node name"));
  auto lookup = run_plugnode({"rpc", ":inet_res.nslookup('" + std::string(4000, 'a') + "', :in, :srv)"}, env);
  CHECK(lookup.exit_code == 1);
  auto self = run_plugnode({"rpc", "Node.self"}, env);
  CHECK(self.exit_code == 0);
  CHECK(self.output == ":\"app@127.0.0.2\"\n");
  CHECK(a.proc().running());
}

TEST_CASE("the node refuses a long line itself, whoever sends it", "[shell][hostile]") {
  // `console` hands its lines to the node's shell service unchecked, as a client of its own would.
  auto port = free_port();
  auto r = run_plugnode({"console"}, console_env(port),
                        "Node.ping(:\"" + std::string(30000, 'a') + "\")\nNode.self\n");
  INFO(r.output.substr(0, 2000));
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.output, Catch::Contains("command too long: more than 4096 bytes; nothing was run\n"
                                       ":\"con@127.0.0.1\"\n"));
}
