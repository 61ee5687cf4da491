// term_codec: term.hpp's values in Erlang's external term format (version byte 131 first), through
// erl_interface's ei encoders and decoders, what BEAM nodes send and expect on the distribution protocol.
// Bytes from a peer are bounds-checked before ei reads them: a truncated, malformed, unsupported or too
// deeply nested term is an error value, never a read past the buffer or a stack overflow.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "plugnode/erlang/term.hpp"

namespace plugnode::erlang {

// Deeper than this is refused: far beyond what a service sends, far below what a stack holds.
constexpr std::size_t max_term_depth = 512;

// The external format of `value`, version byte first. Throws std::invalid_argument for what Erlang cannot
// hold (an atom over 255 characters, a binary over 4 GB).
std::string encode_term(const term& value);

// What a fun's bytes say about it, for a log: its module, its function (an export; empty for a closure),
// its arity, and a closure's OldIndex and OldUniq (as Elixir prints `#Function<Index.Uniq/Arity ...>`).
// Bytes that are no fun give a module "?".
struct fun_info {
  std::string module = "?";
  std::string name;
  std::uint32_t arity = 0, index = 0, uniq = 0;
};
fun_info describe(const fun& f);

// The term at the start of `bytes` (version byte first). On success `consumed` (when given) is how many bytes
// it took; a trailing rest is left to the caller (a distribution frame holds two terms back to back). A
// term that is well-formed but nested deeper than `max_depth` is refused with `consumed` still set (the
// caller may skip it and keep reading); for malformed bytes `consumed` is left alone.
std::optional<term> decode_term(std::string_view bytes, std::string& error, std::size_t* consumed = nullptr,
                                std::size_t max_depth = max_term_depth);

} // namespace plugnode::erlang
