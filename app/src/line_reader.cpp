// The libedit / plain-lines reader of line_reader.hpp.
#include "plugnode/app/line_reader.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <editline/readline.h>

namespace plugnode::app {

line_reader::line_reader(std::string prompt)
    : prompt_(std::move(prompt)), interactive_(::isatty(STDIN_FILENO) != 0) {
  if (interactive_)
    using_history();
}

std::optional<std::string> line_reader::next() {
  if (!interactive_) {
    std::string line;
    if (!std::getline(std::cin, line))
      return std::nullopt;
    return line;
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
