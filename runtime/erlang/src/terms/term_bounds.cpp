// The walk of term_bounds.hpp, one tag of the external format (ERTS "External Term Format") per case.
#include "terms/term_bounds.hpp"

#include <ei.h>

namespace plugnode::erlang::detail {
namespace {

class walker {
public:
  walker(const unsigned char* data, std::size_t size, std::size_t max_depth)
      : data_(data), size_(size), max_depth_(max_depth) {}

  bool term(std::size_t depth) {
    if (depth > max_depth_)
      return fail("term nested deeper than " + std::to_string(max_depth_));
    std::uint8_t tag = 0;
    if (!u8(tag))
      return false;
    switch (tag) {
    case ERL_SMALL_INTEGER_EXT: return skip(1);
    case ERL_INTEGER_EXT: return skip(4);
    case NEW_FLOAT_EXT: return skip(8);
    case ERL_FLOAT_EXT: return skip(31);
    case ERL_ATOM_EXT:
    case ERL_ATOM_UTF8_EXT: return counted(2, 1);
    case ERL_SMALL_ATOM_EXT:
    case ERL_SMALL_ATOM_UTF8_EXT: return counted(1, 1);
    case ERL_STRING_EXT: return counted(2, 1);
    case ERL_BINARY_EXT: return counted(4, 1);
    case ERL_SMALL_BIG_EXT: return big(1);
    case ERL_LARGE_BIG_EXT: return big(4);
    case ERL_NIL_EXT: return true;
    case ERL_SMALL_TUPLE_EXT: return elements(1, 1, depth);
    case ERL_LARGE_TUPLE_EXT: return elements(4, 1, depth);
    case ERL_MAP_EXT: return elements(4, 2, depth);
    case ERL_LIST_EXT: return elements(4, 1, depth) && term(depth + 1); // then the tail
    case ERL_PID_EXT: return atom_inside(depth) && skip(9);
    case ERL_NEW_PID_EXT: return atom_inside(depth) && skip(12);
    case ERL_NEW_REFERENCE_EXT: return reference(1, depth);
    case ERL_NEWER_REFERENCE_EXT: return reference(4, depth);
    default: return fail("unsupported term tag " + std::to_string(tag));
    }
  }

  std::size_t at() const { return at_; }
  const std::string& error() const { return error_; }

private:
  bool fail(std::string why) {
    if (error_.empty())
      error_ = std::move(why);
    return false;
  }
  bool skip(std::size_t n) {
    if (size_ - at_ < n)
      return fail("term cut short");
    at_ += n;
    return true;
  }
  bool u8(std::uint8_t& out) {
    if (!skip(1))
      return false;
    out = data_[at_ - 1];
    return true;
  }
  bool count(std::size_t width, std::size_t& out) {
    if (!skip(width))
      return false;
    out = 0;
    for (std::size_t i = 0; i < width; ++i)
      out = (out << 8) | data_[at_ - width + i];
    return true;
  }
  // A length field of `width` bytes, then that many items of `unit` bytes.
  bool counted(std::size_t width, std::size_t unit) {
    std::size_t n = 0;
    return count(width, n) && skip(n * unit);
  }
  bool big(std::size_t width) {
    std::size_t n = 0;
    return count(width, n) && skip(1 + n); // sign byte, then the digits
  }
  // A length field, then `per` terms for each: every term takes a byte at least, so a count beyond what is
  // left is refused before any work.
  bool elements(std::size_t width, std::size_t per, std::size_t depth) {
    std::size_t n = 0;
    if (!count(width, n))
      return false;
    if (n > (size_ - at_) / per)
      return fail("term cut short");
    for (std::size_t i = 0; i < n * per; ++i)
      if (!term(depth + 1))
        return false;
    return true;
  }
  bool atom_inside(std::size_t depth) {
    std::uint8_t tag = at_ < size_ ? data_[at_] : 0;
    if (tag != ERL_ATOM_EXT && tag != ERL_ATOM_UTF8_EXT && tag != ERL_SMALL_ATOM_EXT &&
        tag != ERL_SMALL_ATOM_UTF8_EXT)
      return fail(at_ < size_ ? "node of a pid or reference is not an atom" : "term cut short");
    return term(depth + 1);
  }
  bool reference(std::size_t creation_width, std::size_t depth) {
    std::size_t words = 0;
    if (!count(2, words))
      return false;
    if (words < 1 || words > 5)
      return fail("reference of " + std::to_string(words) + " words");
    return atom_inside(depth) && skip(creation_width + 4 * words);
  }

  const unsigned char* data_;
  std::size_t size_;
  std::size_t max_depth_;
  std::size_t at_ = 0;
  std::string error_;
};

} // namespace

std::size_t term_extent(const unsigned char* data, std::size_t size, std::size_t max_depth,
                        std::string& error) {
  walker w(data, size, max_depth);
  if (!w.term(0)) {
    error = w.error();
    return 0;
  }
  return w.at();
}

} // namespace plugnode::erlang::detail
