// registered_names: the names under which a node's long-lived actors are registered with its node agent.
// Routes and the shell look them up by name on every use (Erlang's registered processes), so a child the
// supervisor restarted is found again under the same name.
#pragma once

namespace plugnode::app {

inline constexpr const char* checker_name = "checker";
inline constexpr const char* discovery_name = "discovery";
inline constexpr const char* shell_name = "shell";
inline constexpr const char* greeter_name = "greeter";
inline constexpr const char* erlang_rpc_name = "plugnode";  // :rpc.call(node, :plugnode, ...)
inline constexpr const char* types_name = "plugnode.types"; // the service's declared message types

} // namespace plugnode::app
