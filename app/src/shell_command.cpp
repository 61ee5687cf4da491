// The command language of shell_command.hpp.
#include "plugnode/app/shell_command.hpp"

#include <regex>
#include <sstream>
#include <vector>

namespace plugnode::app {
namespace {

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos)
    return {};
  auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::vector<std::string> words(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<std::string> out;
  for (std::string word; in >> word;)
    out.push_back(word);
  return out;
}

shell_command unknown(std::string_view line) {
  return {shell_verb::unknown, std::string(line)};
}

// `ping NODE`, `nodes`, ...: the verb and its argument count.
shell_command parse_plain(std::string_view line) {
  struct entry {
    const char* name;
    shell_verb verb;
    std::size_t min_args;
    std::size_t max_args;
  };
  static const entry table[] = {
      {"nodes", shell_verb::nodes, 0, 0},
      {"self", shell_verb::self, 0, 0},
      {"ping", shell_verb::ping, 1, 1},
      {"connect", shell_verb::connect, 1, 1},
      {"disconnect", shell_verb::disconnect, 1, 1},
      {"nslookup", shell_verb::nslookup, 1, 2},
      {"discover", shell_verb::discover, 0, 0},
      {"status", shell_verb::status, 0, 0},
      {"cluster", shell_verb::cluster, 0, 0},
      {"metrics", shell_verb::metrics, 0, 0},
      {"pid", shell_verb::pid, 0, 0},
      {"stop", shell_verb::stop, 0, 0},
      {"help", shell_verb::help, 0, 0},
      {"quit", shell_verb::quit, 0, 0},
      {"exit", shell_verb::quit, 0, 0},
  };
  auto w = words(line);
  for (const auto& e : table) {
    if (w[0] != e.name)
      continue;
    auto args = w.size() - 1;
    if (args < e.min_args || args > e.max_args)
      return unknown(line);
    shell_command command{e.verb, args > 0 ? w[1] : std::string()};
    if (e.verb == shell_verb::nslookup && args == 2) {
      if (w[2] != "srv" && w[2] != "a")
        return unknown(line);
      command.record_type = w[2];
    }
    return command;
  }
  return unknown(line);
}

// `Node.ping(:"a@h")`, `Node.list()`, `:inet_res.nslookup('name', :in, :srv)` ...
shell_command parse_elixir(std::string_view line) {
  // An atom as Elixir writes a node name: :"a@h", :'a@h' or bare :a@h.
  static const std::string atom = R"re(:(?:"([^"]+)"|'([^']+)'|([A-Za-z0-9_.@-]+)))re";
  static const std::regex node_call(R"re(Node\.(ping|connect|disconnect)\(\s*)re" + atom + R"re(\s*\))re");
  static const std::regex no_arg_call(R"re(Node\.(list|self)(?:\(\s*\))?)re");
  static const std::regex nslookup(
      R"re(:inet_res\.nslookup\(\s*(?:'([^']+)'|"([^"]+)")\s*,\s*:in\s*,\s*:(srv|a)\s*\))re");
  std::string text(line);
  std::smatch m;
  shell_command command;
  command.dialect = shell_dialect::elixir;
  if (std::regex_match(text, m, node_call)) {
    command.verb = m[1] == "ping"      ? shell_verb::ping
                   : m[1] == "connect" ? shell_verb::connect
                                       : shell_verb::disconnect;
    command.argument = m[2].matched ? m[2].str() : m[3].matched ? m[3].str() : m[4].str();
  } else if (std::regex_match(text, m, no_arg_call)) {
    command.verb = m[1] == "list" ? shell_verb::nodes : shell_verb::self;
  } else if (std::regex_match(text, m, nslookup)) {
    command.verb = shell_verb::nslookup;
    command.argument = m[1].matched ? m[1].str() : m[2].str();
    command.record_type = m[3];
  } else {
    return unknown(line);
  }
  return command;
}

} // namespace

shell_command parse_shell_line(std::string_view line) {
  line = trim(line);
  if (line.empty())
    return {};
  if (line.rfind("Node.", 0) == 0 || line.rfind(":inet_res.", 0) == 0)
    return parse_elixir(line);
  return parse_plain(line);
}

const std::string& shell_help() {
  static const std::string text = R"(commands:
  nodes                  connected peers (Node.list)
  self                   this node's name (Node.self)
  ping NODE              pong or pang; connects first (Node.ping(:"app@host"))
  connect NODE           true or false (Node.connect(:"app@host"))
  disconnect NODE        true or false (Node.disconnect(:"app@host"))
  nslookup NAME [srv|a]  ask discovery's DNS server (:inet_res.nslookup('name', :in, :srv))
  discover               run one discovery round now and show its answer
  status                 the status checker's last result
  cluster                this node, its peers and discovery's last answer (JSON)
  metrics                the node's Prometheus metrics
  pid                    the node's OS process id
  stop                   stop the node gracefully
  help                   this text
  quit                   leave the shell (the node keeps running)
)";
  return text;
}

std::string ping_answer(const shell_command& command, bool pong) {
  if (command.verb == shell_verb::ping)
    return std::string(command.dialect == shell_dialect::elixir ? ":" : "") + (pong ? "pong" : "pang");
  return pong ? "true" : "false";
}

} // namespace plugnode::app
