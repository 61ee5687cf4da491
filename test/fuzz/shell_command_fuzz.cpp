// Fuzzes the remote shell's parser with any line: it returns in time linear in the line (no backtracking
// regex), refuses lines past max_shell_line, and a command's argument is part of the line.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "plugnode/app/shell_command.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace plugnode::app;
  std::string_view line(reinterpret_cast<const char*>(data), size);
  auto command = parse_shell_line(line);
  if ((command.verb == shell_verb::too_long) != (size > max_shell_line))
    std::abort();
  bool names_something = command.verb != shell_verb::unknown && command.verb != shell_verb::too_long;
  if (names_something && !command.argument.empty() && line.find(command.argument) == std::string_view::npos)
    std::abort();
  if (command.verb == shell_verb::nslookup && command.record_type != "srv" && command.record_type != "a")
    std::abort();
  return 0;
}
