// plugnode: entry point; everything else is in the plugnode_app library.
#include "plugnode/app/commands.hpp"

int main(int argc, char** argv) {
  return plugnode::app::run_command_line(argc, argv);
}
