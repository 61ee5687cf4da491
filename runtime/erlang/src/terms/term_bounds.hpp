// term_bounds: checks that bytes hold one whole term in Erlang's external format before ei decodes them.
// ei's decoders trust the lengths inside a term and read past the end of a truncated buffer, so a peer's
// bytes are walked here first, every length against what is left and every nesting against a limit.
#pragma once

#include <cstddef>
#include <string>

namespace plugnode::erlang::detail {

// The number of bytes the term at `data[0]` (no version byte) occupies; 0 with `error` set when it is cut
// short, nested deeper than `max_depth`, or of a kind term.hpp does not hold.
std::size_t term_extent(const unsigned char* data, std::size_t size, std::size_t max_depth,
                        std::string& error);

} // namespace plugnode::erlang::detail
