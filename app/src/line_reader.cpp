// The libedit / plain-lines reader of line_reader.hpp.
#include "plugnode/app/line_reader.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <editline/readline.h>

#include "plugnode/app/shell_command.hpp"

namespace plugnode::app {

line_reader::line_reader(std::string prompt)
    : prompt_(std::move(prompt)), interactive_(::isatty(STDIN_FILENO) != 0) {
  if (interactive_)
    using_history();
}

std::optional<std::string> line_reader::next() {
  if (!interactive_) {
    // A line longer than a command can be is cut one byte past the bound (enough for parse_shell_line to
    // refuse it) and the rest skipped, so a piped gigabyte without a newline is not held in memory.
    std::string line;
    bool any = false;
    for (int c; (c = std::cin.get()) != EOF;) {
      any = true;
      if (c == '\n')
        return line;
      if (line.size() <= max_shell_line)
        line.push_back(static_cast<char>(c));
    }
    return any ? std::optional<std::string>(line) : std::nullopt;
  }
  char* raw = ::readline(prompt_.c_str());
  if (raw == nullptr)
    return std::nullopt;
  std::string line(raw);
  std::free(raw); // NOLINT: readline hands out malloc'd memory
  if (line.find_first_not_of(" \t") != std::string::npos)
    add_history(line.c_str());
  return line;
}

} // namespace plugnode::app
