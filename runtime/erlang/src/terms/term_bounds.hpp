// term_bounds: checks that bytes hold one whole term in Erlang's external format before ei decodes them.
// ei's decoders trust the lengths inside a term and read past the end of a truncated buffer, so a peer's
// bytes are walked here first, every length against what is left. The walk keeps no stack per level (a
// count of the terms still to read), so a term nested a million deep is measured as safely as a flat one;
// how deep it nests is reported for the decoder, which recurses.
#pragma once

#include <cstddef>
#include <string>

namespace plugnode::erlang::detail {

struct term_walk {
  std::size_t extent = 0; // bytes the term occupies; 0: malformed (`error` says why)
  bool too_deep = false;  // well-formed, but nested deeper than the walk's max_depth
};

// The term at `data[0]` (no version byte): its extent, or 0 with `error` set when it is cut short, of an
// unknown tag, or inconsistent (a fun whose size does not match its contents, a bitstring of 0 or 9 bits).
term_walk term_extent(const unsigned char* data, std::size_t size, std::size_t max_depth, std::string& error);

} // namespace plugnode::erlang::detail
