// commands: the plugnode command line (`plugnode foreground`, `version`, ...), Distillery's release commands.
#pragma once

namespace plugnode::app {

// Exit codes: 0 success, 1 runtime failure (port taken, node unreachable), 2 usage or configuration error.
int run_command_line(int argc, char** argv);

} // namespace plugnode::app
