// line_reader: the shell's input. On a terminal, libedit gives line editing and a history; from a pipe,
// plain lines with no prompt, so scripts and tests drive the shell and read only the answers.
#pragma once

#include <optional>
#include <string>

namespace plugnode::app {

class line_reader {
public:
  explicit line_reader(std::string prompt);
  // The next line without its newline; nullopt at end of input (Ctrl-D, or the pipe closed).
  std::optional<std::string> next();
  bool interactive() const { return interactive_; }

private:
  std::string prompt_;
  bool interactive_;
};

} // namespace plugnode::app
