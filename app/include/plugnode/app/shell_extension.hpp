// shell_extension: a remote-shell command an application adds (service.hpp). The shell service tries the
// application's commands on a line none of its own commands matched; `help` lists them after its own.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <caf/scoped_actor.hpp>

#include "plugnode/app/node_routes.hpp"

namespace plugnode::app {

struct shell_reply {
  bool ok = true;   // false: `rpc` exits 1
  std::string text; // printed as it is; end it with a newline
};

struct shell_extension {
  std::string name;  // the line's first word
  std::string usage; // for `help`: "counters [PREFIX]"
  std::string help;  // one line for `help`
  // `args`: the words after the name. `self` asks the node's actors (runtime::call); the shell waits for the
  // answer, so keep each ask bounded.
  std::function<shell_reply(const node_services& node, caf::scoped_actor& self,
                            const std::vector<std::string>& args)>
      run;
};

// The reply of the extension named by the line's first word, or nullopt when there is none.
std::optional<shell_reply> run_shell_extension(const std::vector<shell_extension>& extensions,
                                               std::string_view line, const node_services& node,
                                               caf::scoped_actor& self);

// The help lines of `extensions`, in the shell help's layout; empty when there are none.
std::string shell_extensions_help(const std::vector<shell_extension>& extensions);

} // namespace plugnode::app
