// Fuzzes decode_term, which reads what BEAM peers send (the external term format, through ei after
// term_bounds walked the bytes; every tag OTP 25/26 sends: big integers, funs, ports, bitstrings, ...): any
// bytes give a term or an error, never a crash or a read past the input; a well-formed term refused for its
// depth still says where it ends; a term decoded encodes again, decodes to the same term, and prints
// (Elixir's notation, and cut to a log's bound) without failing.
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <string_view>

#include "plugnode/erlang/term_codec.hpp"
#include "plugnode/erlang/term_format.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace plugnode::erlang;
  std::string error;
  std::size_t consumed = 0;
  auto value = decode_term(std::string_view(reinterpret_cast<const char*>(data), size), error, &consumed);
  if (consumed > size)
    std::abort();
  if (!value)
    return error.empty() ? (std::abort(), 0) : 0; // a refusal always says why
  auto text = to_string(*value);
  auto cut = to_string(*value, 64);
  if (cut.size() > 64 + 32 || (text.size() <= 64 && cut != text))
    std::abort();
  std::string encoded;
  try {
    encoded = encode_term(*value);
  } catch (const std::invalid_argument&) {
    return 0; // decodable but not encodable (e.g. an atom ei read longer than Erlang allows): refused
  }
  auto again = decode_term(encoded, error);
  if (!again || !(*again == *value))
    std::abort();
  return 0;
}
