// term_format: a term printed the way Elixir's `inspect` prints it (`{:ok, "text"}`, `%{a: 1}`, `'abc'`,
// `#PID<...>`), for logs, the remote shell and tests, so an operator reads one notation on both sides.
#pragma once

#include <string>

#include "plugnode/erlang/term.hpp"

namespace plugnode::erlang {

std::string to_string(const term& value);

} // namespace plugnode::erlang
