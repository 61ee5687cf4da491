// dashboard_files: the dashboard's page, script and style sheet (app/dashboard/), compiled into the binary
// by cmake/EmbedFiles.cmake: the page needs nothing from the network, and a node serves it as it was built.
#pragma once

#include <optional>
#include <string_view>

namespace plugnode::app {

struct embedded_file {
  std::string_view name; // the base name: "index.html"
  std::string_view bytes;
};

// The file of that base name, or nullopt.
std::optional<embedded_file> dashboard_file(std::string_view name);

} // namespace plugnode::app
