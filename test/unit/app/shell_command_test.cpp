// shell_command: the remote shell's language, plugnode's spelling and the Elixir one operators type.
#include "plugnode/app/shell_command.hpp"

#include <catch2/catch.hpp>

using namespace plugnode::app;

TEST_CASE("plain commands", "[shell_command]") {
  CHECK(parse_shell_line("nodes").verb == shell_verb::nodes);
  CHECK(parse_shell_line("  status  ").verb == shell_verb::status);
  auto ping = parse_shell_line("ping b@127.0.0.3");
  CHECK(ping.verb == shell_verb::ping);
  CHECK(ping.argument == "b@127.0.0.3");
  CHECK(ping.dialect == shell_dialect::plugnode);
  CHECK(parse_shell_line("connect a@h").verb == shell_verb::connect);
  CHECK(parse_shell_line("disconnect a@h").verb == shell_verb::disconnect);
  auto lookup = parse_shell_line("nslookup _dist._tcp.app a");
  CHECK(lookup.verb == shell_verb::nslookup);
  CHECK(lookup.argument == "_dist._tcp.app");
  CHECK(lookup.record_type == "a");
  CHECK(parse_shell_line("nslookup app").record_type == "srv");
  for (auto [line, verb] :
       {std::pair{"discover", shell_verb::discover}, std::pair{"cluster", shell_verb::cluster},
        std::pair{"metrics", shell_verb::metrics}, std::pair{"help", shell_verb::help},
        std::pair{"quit", shell_verb::quit}, std::pair{"exit", shell_verb::quit},
        std::pair{"pid", shell_verb::pid}, std::pair{"stop", shell_verb::stop},
        std::pair{"self", shell_verb::self}, std::pair{"", shell_verb::empty},
        std::pair{"   ", shell_verb::empty}}) {
    INFO(line);
    CHECK(parse_shell_line(line).verb == verb);
  }
}

TEST_CASE("wrong arguments and unknown words are unknown, kept for the message", "[shell_command]") {
  for (auto line : {"ping", "ping a@h b@h", "nodes now", "nslookup x mx", "fly", "Node.fly", "Node.ping(a@h)",
                    ":inet_res.nslookup('x', :in, :mx)", "rm -rf /", "ping :'a@h'x",
                    "ping :", "Node.ping:a@h", "Node.pingx(:a@h)", "Node.list(:everyone)",
                    "Node.list(hidden)", "node(1)", ":net_adm.ping(a@h)", ":net_adm.pong(:a@h)"}) {
    INFO(line);
    auto cmd = parse_shell_line(line);
    CHECK(cmd.verb == shell_verb::unknown);
    CHECK(cmd.argument == line);
  }
}

TEST_CASE("the Elixir spellings", "[shell_command]") {
  CHECK(parse_shell_line("Node.list").verb == shell_verb::nodes);
  CHECK(parse_shell_line("Node.list()").dialect == shell_dialect::elixir);
  CHECK(parse_shell_line("Node.self").verb == shell_verb::self);
  for (auto line : {R"(Node.ping(:"app@host"))", "Node.ping(:'app@host')", "Node.ping(:app@host)",
                    R"(Node.ping( :"app@host" ))"}) {
    INFO(line);
    auto cmd = parse_shell_line(line);
    CHECK(cmd.verb == shell_verb::ping);
    CHECK(cmd.argument == "app@host");
    CHECK(cmd.dialect == shell_dialect::elixir);
  }
  CHECK(parse_shell_line(R"(Node.connect(:"a@h"))").verb == shell_verb::connect);
  CHECK(parse_shell_line(R"(Node.disconnect(:"a@h"))").verb == shell_verb::disconnect);
  auto lookup = parse_shell_line(":inet_res.nslookup('app.default.svc.cluster.local', :in, :srv)");
  CHECK(lookup.verb == shell_verb::nslookup);
  CHECK(lookup.argument == "app.default.svc.cluster.local");
  CHECK(lookup.record_type == "srv");
  CHECK(parse_shell_line(R"(:inet_res.nslookup("x", :in, :a))").record_type == "a");
}

// The spellings an Elixir or Erlang operator types from habit (issue 24): one check per spelling.
TEST_CASE("a plain command takes its node as an Elixir atom too", "[shell_command]") {
  for (auto line : {"ping :'a@h'", R"(ping :"a@h")", "ping :a@h", "connect :'a@h'", "disconnect :'a@h'"}) {
    INFO(line);
    auto cmd = parse_shell_line(line);
    CHECK(cmd.argument == "a@h");
    CHECK(cmd.dialect == shell_dialect::plugnode);
  }
  CHECK(parse_shell_line("ping :'a@h'").verb == shell_verb::ping);
}

TEST_CASE("Node.list takes Node.list/1's kinds, nodes takes them as a word", "[shell_command]") {
  for (auto kind : {"hidden", "connected", "visible", "this", "known"}) {
    INFO(kind);
    auto elixir = parse_shell_line(std::string("Node.list(:") + kind + ")");
    CHECK(elixir.verb == shell_verb::nodes);
    CHECK(elixir.argument == kind);
    CHECK(elixir.dialect == shell_dialect::elixir);
    CHECK(parse_shell_line(std::string("Node.list :") + kind).argument == kind);
    CHECK(parse_shell_line(std::string("nodes ") + kind).argument == kind);
  }
  CHECK(parse_shell_line("Node.list(:hidden)").argument == "hidden");
  CHECK(parse_shell_line("Node.list(:connected)").argument == "connected");
  CHECK(parse_shell_line("Node.list").argument.empty());
}

TEST_CASE("node() is self", "[shell_command]") {
  auto cmd = parse_shell_line("node()");
  CHECK(cmd.verb == shell_verb::self);
  CHECK(cmd.dialect == shell_dialect::elixir);
  CHECK(parse_shell_line("Node.self()").verb == shell_verb::self);
}

TEST_CASE(":net_adm.ping is Erlang's ping", "[shell_command]") {
  for (auto line : {R"(:net_adm.ping(:"a@h"))", ":net_adm.ping(:'a@h')", ":net_adm.ping :a@h"}) {
    INFO(line);
    auto cmd = parse_shell_line(line);
    CHECK(cmd.verb == shell_verb::ping);
    CHECK(cmd.argument == "a@h");
    CHECK(ping_answer(cmd, true) == ":pong");
  }
}

TEST_CASE("Node.ping, connect and disconnect without parentheses", "[shell_command]") {
  for (auto [line, verb] :
       {std::pair{R"(Node.ping :"a@h")", shell_verb::ping}, std::pair{"Node.ping  :'a@h'", shell_verb::ping},
        std::pair{"Node.connect :a@h", shell_verb::connect},
        std::pair{R"(Node.disconnect :"a@h")", shell_verb::disconnect}}) {
    INFO(line);
    auto cmd = parse_shell_line(line);
    CHECK(cmd.verb == verb);
    CHECK(cmd.argument == "a@h");
    CHECK(cmd.dialect == shell_dialect::elixir);
  }
}

TEST_CASE("answers come back in the dialect they were asked in", "[shell_command]") {
  CHECK(ping_answer(parse_shell_line("ping a@h"), true) == "pong");
  CHECK(ping_answer(parse_shell_line("ping a@h"), false) == "pang");
  CHECK(ping_answer(parse_shell_line("Node.ping(:a@h)"), true) == ":pong");
  CHECK(ping_answer(parse_shell_line("Node.ping(:a@h)"), false) == ":pang");
  CHECK(ping_answer(parse_shell_line("Node.connect(:a@h)"), true) == "true");
  CHECK(ping_answer(parse_shell_line("connect a@h"), false) == "false");
}

TEST_CASE("the clustered-state commands: groups, members GROUP, entities", "[shell_command]") {
  CHECK(parse_shell_line("groups").verb == shell_verb::groups);
  auto members = parse_shell_line("members workers");
  CHECK(members.verb == shell_verb::members);
  CHECK(members.argument == "workers");
  CHECK(parse_shell_line("members").verb == shell_verb::unknown); // which group?
  CHECK(parse_shell_line("entities").verb == shell_verb::entities);
}

TEST_CASE("help names every command", "[shell_command]") {
  for (auto word : {"nodes",
                    "ping",
                    "connect",
                    "disconnect",
                    "nslookup",
                    "discover",
                    "status",
                    "cluster",
                    "metrics",
                    "help",
                    "quit",
                    "Node.ping",
                    "groups",
                    "members GROUP",
                    "entities",
                    "Node.list(:hidden)",
                    "Node.list(:connected)",
                    "node()",
                    ":net_adm.ping(:\"app@host\")",
                    "Node.ping :\"app@host\"",
                    ":'app@host'"}) {
    INFO(word);
    CHECK_THAT(shell_help(), Catch::Contains(word));
  }
}

TEST_CASE("long and hostile lines parse in linear time and are refused past the bound", "[shell_command]") {
  // A 4,000-character atom is still a command (the node name check refuses it later).
  auto near = parse_shell_line("Node.ping(:\"" + std::string(4000, 'a') + "\")");
  CHECK(near.verb == shell_verb::ping);
  CHECK(near.argument.size() == 4000);
  CHECK(parse_shell_line(":inet_res.nslookup('" + std::string(4000, 'a') + "', :in, :a)").verb ==
        shell_verb::nslookup);
  for (const auto& line : {"Node.ping(:\"" + std::string(30000, 'a') + "\")", std::string(1 << 20, 'a'),
                           ":inet_res.nslookup('" + std::string(40000, 'a') + "', :in, :srv)"}) {
    auto cmd = parse_shell_line(line);
    CHECK(cmd.verb == shell_verb::too_long);
    CHECK(cmd.argument == "command too long: more than 4096 bytes; nothing was run\n");
  }
  for (auto line :
       {"Node.ping(:\"\")", "Node.ping(:)", "Node.ping(:\"a@h\"", "Node.list(", "Node.list()x",
        "Node.ping(:a@h)x", ":inet_res.nslookup('', :in, :a)", ":inet_res.nslookup('x', :in, :srvx)",
        ":inet_res.nslookup('x' :in, :a)", ":inet_res.nslookup('x', :in, :a", ":inet_res.", "Node."}) {
    INFO(line);
    CHECK(parse_shell_line(line).verb == shell_verb::unknown);
  }
  CHECK(parse_shell_line(std::string("Node.ping(:a\0b)", 15)).verb == shell_verb::unknown);
}

TEST_CASE("every kind of white space is blank (found by fuzz_shell_command)", "[shell_command]") {
  for (auto line : {"\v", "\f", " \v\f\t\r\n "})
    CHECK(parse_shell_line(line).verb == shell_verb::empty);
  CHECK(parse_shell_line("\vnodes\f").verb == shell_verb::nodes);
}

TEST_CASE("a client decides only the length and quit, as the node's parser would", "[shell_command]") {
  for (auto line : {"quit", "exit", "  quit\t", "\vexit\n"}) {
    INFO(line);
    CHECK(leaves_shell(line));
    CHECK(parse_shell_line(line).verb == shell_verb::quit);
  }
  for (auto line : {"quit now", "exit 1", "Node.quit", "quitx", ""}) {
    INFO(line);
    CHECK_FALSE(leaves_shell(line));
    CHECK(parse_shell_line(line).verb != shell_verb::quit);
  }
  CHECK_FALSE(too_long_refusal(std::string(max_shell_line, 'a')));
  auto refusal = too_long_refusal(std::string(max_shell_line + 1, 'a'));
  REQUIRE(refusal);
  CHECK(*refusal == parse_shell_line(std::string(max_shell_line + 1, 'a')).argument);
}

TEST_CASE("words already split make the command the plain spelling makes", "[shell_command]") {
  auto ping = command_of({"ping", ":'a@h'"});
  CHECK(ping.verb == shell_verb::ping);
  CHECK(ping.argument == "a@h");
  CHECK(command_of({"nodes", "hidden"}).argument == "hidden");
  CHECK(command_of({"nslookup", "x", "a"}).record_type == "a");
  auto unknown = command_of({"counters", "key-1"}); // an application's command, found by its line
  CHECK(unknown.verb == shell_verb::unknown);
  CHECK(unknown.argument == "counters key-1");
  CHECK(command_of({"nodes", "sideways"}).verb == shell_verb::unknown);
  CHECK(command_of({""}).verb == shell_verb::unknown);
}
