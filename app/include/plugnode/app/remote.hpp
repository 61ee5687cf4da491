// remote: the commands that act on a running node from outside it (remote_console, rpc, ping, stop, pid).
// They join the node named by the configuration as a hidden node, authenticate with the cookie, and send
// shell lines to the node's shell service; a wrong cookie or no node is one line on stderr and exit 1.
#pragma once

#include <string>

#include "plugnode/app/config.hpp"

namespace plugnode::app {

// `program` starts every error line ("counter: cannot join ...").
int run_remote_console(const config& cfg, const std::string& program = "plugnode");
// Runs one shell line on the node and prints the answer: 0 when the command succeeded, 1 otherwise.
int run_rpc(const config& cfg, const std::string& line, const std::string& program = "plugnode");
// `pong` and 0 when the node answers, `pang` and 1 otherwise.
int run_ping(const config& cfg, const std::string& program = "plugnode");

} // namespace plugnode::app
