// The application's shell commands of shell_extension.hpp.
#include "plugnode/app/shell_extension.hpp"

#include <fmt/format.h>

#include <sstream>

namespace plugnode::app {

std::optional<shell_reply> run_shell_extension(const std::vector<shell_extension>& extensions,
                                               std::string_view line, const node_services& node,
                                               caf::scoped_actor& self) {
  std::istringstream in{std::string(line)};
  std::string name;
  in >> name;
  std::vector<std::string> args;
  for (std::string word; in >> word;)
    args.push_back(word);
  for (const auto& extension : extensions)
    if (extension.name == name)
      return extension.run(node, self, args);
  return std::nullopt;
}

std::string shell_extensions_help(const std::vector<shell_extension>& extensions) {
  if (extensions.empty())
    return {};
  std::string text = "commands of this service:\n";
  for (const auto& extension : extensions)
    text += fmt::format("  {:<22} {}\n", extension.usage.empty() ? extension.name : extension.usage,
                        extension.help);
  return text;
}

} // namespace plugnode::app
