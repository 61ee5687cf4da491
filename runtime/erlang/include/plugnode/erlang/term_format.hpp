// term_format: a term printed the way Elixir's `inspect` prints it (`{:ok, "text"}`, `%{a: 1}`, `'abc'`,
// `#PID<...>`), for logs, the remote shell and tests, so an operator reads one notation on both sides.
#pragma once

#include <cstddef>
#include <string>

#include "plugnode/erlang/term.hpp"

namespace plugnode::erlang {

std::string to_string(const term& value);

// What a log line shows of a term from a peer: at most this many characters of its text.
constexpr std::size_t log_term_limit = 256;

// The text cut to `limit` characters (never inside a UTF-8 sequence), then "... (N bytes)" with the whole
// text's length, when it is longer; the rest is counted, never built, so a 2 MB list costs no 8 MB string.
std::string to_string(const term& value, std::size_t limit);

} // namespace plugnode::erlang
