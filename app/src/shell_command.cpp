// The command language of shell_command.hpp.
#include "plugnode/app/shell_command.hpp"

#include <optional>
#include <sstream>
#include <vector>

namespace plugnode::app {
namespace {

// What separates words: the characters std::isspace and so `istream >> word` skip, all of them (a line of
// a vertical tab alone once passed the blank-line check and reached words() as no word at all).
constexpr std::string_view space = " \t\r\n\f\v";

std::string_view trim(std::string_view text) {
  auto first = text.find_first_not_of(space);
  if (first == std::string_view::npos)
    return {};
  auto last = text.find_last_not_of(space);
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

// Reads the Elixir spellings left to right, one character at a time: no backtracking, so the work and the
// stack are bounded by the line's length whatever it holds (std::regex recursed once per character and a
// 30,000-character atom overflowed the stack).
class cursor {
public:
  explicit cursor(std::string_view text) : rest_(text) {}

  bool literal(std::string_view word) {
    if (rest_.substr(0, word.size()) != word)
      return false;
    rest_.remove_prefix(word.size());
    return true;
  }
  // One of `words`; its index, or -1.
  int one_of(std::initializer_list<std::string_view> words) {
    int index = 0;
    for (auto word : words) {
      if (literal(word))
        return index;
      ++index;
    }
    return -1;
  }
  void spaces() {
    while (!rest_.empty() && is_space(rest_.front()))
      rest_.remove_prefix(1);
  }
  // A non-empty run of characters other than `quote`, between two `quote`s.
  bool quoted(char quote, std::string& out) {
    if (rest_.size() < 3 || rest_.front() != quote)
      return false;
    auto close = rest_.find(quote, 1);
    if (close == std::string_view::npos || close == 1)
      return false;
    out = std::string(rest_.substr(1, close - 1));
    rest_.remove_prefix(close + 1);
    return true;
  }
  // An atom as Elixir writes a node name: :"a@h", :'a@h' or bare :a@h.
  bool atom(std::string& out) {
    if (!literal(":"))
      return false;
    if (quoted('"', out) || quoted('\'', out))
      return true;
    std::size_t n = 0;
    while (n < rest_.size() && is_bare(rest_[n]))
      ++n;
    out = std::string(rest_.substr(0, n));
    rest_.remove_prefix(n);
    return n > 0;
  }
  bool at_end() const { return rest_.empty(); }

private:
  static bool is_space(char c) { return space.find(c) != std::string_view::npos; }
  static bool is_bare(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("_.@-").find(c) != std::string_view::npos;
  }

  std::string_view rest_;
};

// A node given to a plain command, bare (a@h) or as the Elixir atom an operator types from habit (:'a@h',
// :"a@h", :a@h); nullopt when it is an atom with something after it.
std::optional<std::string> node_word(const std::string& word) {
  if (word.empty() || word[0] != ':')
    return word;
  cursor in(word);
  std::string name;
  if (!in.atom(name) || !in.at_end())
    return std::nullopt;
  return name;
}

// The kinds of Node.list/1 (and `nodes KIND`): which of the node's peers are listed.
bool node_list_kind(std::string_view kind) {
  return kind == "visible" || kind == "hidden" || kind == "connected" || kind == "this" || kind == "known";
}

// `ping NODE`, `nodes`, ...: the verb and its argument count; `line` is what an unknown command shows.
shell_command plain_command(const std::vector<std::string>& w, std::string_view line) {
  struct entry {
    const char* name;
    shell_verb verb;
    std::size_t min_args;
    std::size_t max_args;
  };
  static const entry table[] = {
      {"nodes", shell_verb::nodes, 0, 1},
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
      {"groups", shell_verb::groups, 0, 0},
      {"members", shell_verb::members, 1, 1},
      {"entities", shell_verb::entities, 0, 0},
      {"stop", shell_verb::stop, 0, 0},
      {"help", shell_verb::help, 0, 0},
  };
  for (const auto& e : table) {
    if (w[0] != e.name)
      continue;
    auto args = w.size() - 1;
    if (args < e.min_args || args > e.max_args)
      return unknown(line);
    shell_command command{e.verb, args > 0 ? w[1] : std::string()};
    if (e.verb == shell_verb::ping || e.verb == shell_verb::connect || e.verb == shell_verb::disconnect) {
      auto node = node_word(w[1]);
      if (!node)
        return unknown(line);
      command.argument = *node;
    }
    if (e.verb == shell_verb::nodes && args == 1 && !node_list_kind(w[1]))
      return unknown(line);
    if (e.verb == shell_verb::nslookup && args == 2) {
      if (w[2] != "srv" && w[2] != "a")
        return unknown(line);
      command.record_type = w[2];
    }
    return command;
  }
  return unknown(line);
}

// A call's one argument, an atom, as Elixir takes it: `(:x)`, `( :x )` or, without parentheses, ` :x`.
bool atom_argument(cursor& in, std::string& out) {
  if (in.literal("(")) {
    in.spaces();
    if (!in.atom(out))
      return false;
    in.spaces();
    return in.literal(")");
  }
  if (!in.literal(" "))
    return false;
  in.spaces();
  return in.atom(out);
}

// No argument: nothing, or `()`.
bool no_argument(cursor& in) {
  if (in.literal("(")) {
    in.spaces();
    return in.literal(")");
  }
  return true;
}

// `Node.ping(:"a@h")`, `Node.ping :"a@h"`, `Node.list(:hidden)`, `node()`, `:net_adm.ping(:"a@h")`,
// `:inet_res.nslookup('name', :in, :srv)` ...
shell_command parse_elixir(std::string_view line) {
  shell_command command;
  command.dialect = shell_dialect::elixir;
  cursor in(line);
  if (in.literal("Node.")) {
    static constexpr shell_verb node_verbs[] = {shell_verb::ping, shell_verb::connect,
                                                shell_verb::disconnect};
    if (int op = in.one_of({"ping", "connect", "disconnect"}); op >= 0) {
      command.verb = node_verbs[op];
      if (!atom_argument(in, command.argument))
        return unknown(line);
    } else if (in.literal("list")) {
      command.verb = shell_verb::nodes;
      if (!in.at_end() && !(in.literal("()") || atom_argument(in, command.argument)))
        return unknown(line);
      if (!command.argument.empty() && !node_list_kind(command.argument))
        return unknown(line);
    } else if (in.literal("self")) {
      command.verb = shell_verb::self;
      if (!no_argument(in))
        return unknown(line);
    } else {
      return unknown(line);
    }
  } else if (in.literal("node()")) {
    command.verb = shell_verb::self;
  } else if (in.literal(":net_adm.ping")) {
    command.verb = shell_verb::ping;
    if (!atom_argument(in, command.argument))
      return unknown(line);
  } else if (in.literal(":inet_res.nslookup(")) {
    command.verb = shell_verb::nslookup;
    in.spaces();
    if (!in.quoted('\'', command.argument) && !in.quoted('"', command.argument))
      return unknown(line);
    in.spaces();
    bool class_in = in.literal(",") && (in.spaces(), in.literal(":in")) && (in.spaces(), in.literal(","));
    in.spaces();
    int type = class_in && in.literal(":") ? in.one_of({"srv", "a"}) : -1;
    in.spaces();
    if (type < 0 || !in.literal(")"))
      return unknown(line);
    command.record_type = type == 0 ? "srv" : "a";
  }
  return in.at_end() ? command : unknown(line);
}

} // namespace

std::optional<std::string> too_long_refusal(std::string_view line) {
  if (line.size() <= max_shell_line)
    return std::nullopt;
  return "command too long: more than " + std::to_string(max_shell_line) + " bytes; nothing was run\n";
}

bool leaves_shell(std::string_view line) {
  line = trim(line);
  return line == "quit" || line == "exit";
}

shell_command parse_shell_line(std::string_view line) {
  if (auto refusal = too_long_refusal(line))
    return {shell_verb::too_long, *refusal};
  if (leaves_shell(line))
    return {shell_verb::quit, {}};
  line = trim(line);
  if (line.empty())
    return {};
  if (line.rfind("Node.", 0) == 0 || line.rfind(":inet_res.", 0) == 0 || line.rfind(":net_adm.", 0) == 0 ||
      line == "node()")
    return parse_elixir(line);
  return plain_command(words(line), line);
}

shell_command command_of(const std::vector<std::string>& words) {
  std::string line;
  for (const auto& word : words)
    line += (line.empty() ? "" : " ") + word;
  return plain_command(words, line);
}

const std::string& shell_help() {
  static const std::string text = R"(commands:
  nodes [KIND]           connected peers; KIND visible (the default), hidden, connected, this or known
                         (Node.list, Node.list(:hidden), Node.list(:connected))
  self                   this node's name (Node.self, node())
  ping NODE              pong or pang; connects first (Node.ping(:"app@host"), Node.ping :"app@host",
                         :net_adm.ping(:"app@host"))
  connect NODE           true or false (Node.connect(:"app@host"))
  disconnect NODE        true or false (Node.disconnect(:"app@host"))
                         NODE is app@host, or an atom: :'app@host', :"app@host"
  nslookup NAME [srv|a]  ask discovery's DNS server (:inet_res.nslookup('name', :in, :srv))
  discover               run one discovery round now and show its answer
  status                 the status checker's last result
  cluster                this node, its peers and discovery's last answer (JSON)
  metrics                the node's Prometheus metrics
  pid                    the node's OS process id
  groups                 the process groups of scope pg, with their sizes (:pg.which_groups())
  members GROUP          GROUP's members on every node, one a line: its node and actor id
                         (:pg.get_members(GROUP))
  entities               entity types per node: active entities, hosts, activations, hand-offs
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
