// shell_command: the remote shell's command language. One line becomes one command, written either the
// plugnode way (`ping app@host`) or the way Elixir operators type it from habit (`Node.ping(:"app@host")`);
// the spelling is kept so the answer comes back in the same dialect (`pong` or `:pong`).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plugnode::app {

enum class shell_verb {
  empty,      // a blank line: nothing to do
  unknown,    // not a command: print help, go on
  too_long,   // longer than max_shell_line: refused unread, the refusal in `argument`
  nodes,      // visible peers
  self,       // this node's name
  ping,       // ping NODE: pong | pang
  connect,    // connect NODE: true | false
  disconnect, // disconnect NODE: true | false
  nslookup,   // nslookup NAME [srv|a]
  discover,   // run one discovery round now
  status,     // the checker's last result
  cluster,    // the /cluster JSON
  metrics,    // the /metrics text
  pid,        // the node's OS process id
  groups,     // the non-empty process groups of scope pg (:pg.which_groups())
  members,    // members GROUP: every node's members of GROUP (:pg.get_members(GROUP))
  entities,   // the sharded entity types' figures on this node and each peer
  stop,       // stop the node gracefully
  help,
  quit,
};

enum class shell_dialect { plugnode, elixir };

struct shell_command {
  shell_verb verb = shell_verb::empty;
  std::string argument;            // the node or the name to look up; for unknown, the line itself
  std::string record_type = "srv"; // nslookup: srv or a
  shell_dialect dialect = shell_dialect::plugnode;
};

// The longest line a shell sends or a node evaluates: names are at most 255 bytes, so a command is short, and
// a bound keeps an operator's pasted megabyte (or a client's) from costing the node more than a refusal.
inline constexpr std::size_t max_shell_line = 4096;

shell_command parse_shell_line(std::string_view line);

// What a client decides alone, before sending a line, without parsing it (the node parses every line it
// runs): the refusal of a line past max_shell_line, which is not sent, and whether the line is `quit` or
// `exit`, which leaves the shell. parse_shell_line answers the same for both.
std::optional<std::string> too_long_refusal(std::string_view line);
bool leaves_shell(std::string_view line);

// The command `words` spell the plain way (a verb, then its arguments), as the Erlang rpc module gets them
// already split (`:rpc.call(node, :plugnode, :ping, [:"a@h"])`); `words` is not empty.
shell_command command_of(const std::vector<std::string>& words);

// The help text listing every command.
const std::string& shell_help();

// Answers in the command's dialect: `pong`/`pang` or `:pong`/`:pang`, `true`/`false` either way.
std::string ping_answer(const shell_command& command, bool pong);

} // namespace plugnode::app
