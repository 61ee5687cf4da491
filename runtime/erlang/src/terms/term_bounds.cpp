// The walk of term_bounds.hpp, one tag of the external format (ERTS "External Term Format") per case.
// `pending` counts the terms still to read: a compound adds its elements to it, so the walk is a loop, not a
// recursion. Open compounds are remembered (up to max_depth, funs always, for their size check) by the
// count at which they end.
#include "terms/term_bounds.hpp"

#include <cstdint>
#include <vector>

#include <ei.h>

namespace plugnode::erlang::detail {
namespace {

class walker {
public:
  walker(const unsigned char* data, std::size_t size, std::size_t max_depth)
      : data_(data), size_(size), max_depth_(max_depth) {}

  bool walk() {
    pending_ = 1;
    while (pending_ > 0) {
      --pending_;
      if (!term())
        return false;
      while (!open_.empty() && pending_ == open_.back().ends_at) {
        if (open_.back().fun_end != 0 && open_.back().fun_end != at_)
          return fail("fun's size does not match its contents");
        open_.pop_back();
      }
    }
    return true;
  }

  std::size_t at() const { return at_; }
  bool too_deep() const { return too_deep_; }
  const std::string& error() const { return error_; }

private:
  struct compound {
    std::size_t ends_at; // the value of pending_ once its elements are read
    std::size_t fun_end; // a fun: where its bytes end (its Size field); 0 otherwise
  };

  bool term() {
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
    case ERL_BIT_BINARY_EXT: return bit_binary();
    case ERL_SMALL_BIG_EXT: return big(1);
    case ERL_LARGE_BIG_EXT: return big(4);
    case ERL_NIL_EXT: return true;
    case ERL_SMALL_TUPLE_EXT: return elements(1, 1, 0);
    case ERL_LARGE_TUPLE_EXT: return elements(4, 1, 0);
    case ERL_MAP_EXT: return elements(4, 2, 0);
    case ERL_LIST_EXT: return elements(4, 1, 1); // then the tail
    case ERL_PID_EXT: return atom_then(9);
    case ERL_NEW_PID_EXT: return atom_then(12);
    case ERL_PORT_EXT: return atom_then(5);
    case ERL_NEW_PORT_EXT: return atom_then(8);
    case ERL_V4_PORT_EXT: return atom_then(12);
    case ERL_NEW_REFERENCE_EXT: return reference(1);
    case ERL_NEWER_REFERENCE_EXT: return reference(4);
    case ERL_NEW_FUN_EXT: return new_fun();
    case ERL_EXPORT_EXT: return open(3, 0); // module, function, arity
    default: return fail("unsupported term tag " + std::to_string(tag));
    }
  }

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
  // Len, Bits (1 to 8 bits used in the last byte), then the bytes; an empty one has no last byte.
  bool bit_binary() {
    std::size_t n = 0;
    std::uint8_t bits = 0;
    if (!count(4, n) || !u8(bits))
      return false;
    if (bits < 1 || bits > 8 || (n == 0 && bits != 8))
      return fail("bitstring with " + std::to_string(bits) + " bits in its last byte");
    return skip(n);
  }
  // `n` more terms to read, inside one compound. Every term takes a byte at least, so more than are left
  // is refused before any work.
  bool open(std::size_t n, std::size_t fun_end) {
    if (n > size_ - at_ || pending_ > size_ - at_ - n)
      return fail("term cut short");
    if (n == 0)
      return true;
    if (open_.size() >= max_depth_)
      too_deep_ = true; // still walked, so the caller knows where the term ends
    // A fun is remembered at any depth for its size check: each takes 30 bytes at least, so the list of
    // open ones stays a fraction of the input.
    if (fun_end != 0 || open_.size() < max_depth_)
      open_.push_back({pending_, fun_end});
    pending_ += n;
    return true;
  }
  // A length field, then `per` terms for each, and `extra` more (a list's tail).
  bool elements(std::size_t width, std::size_t per, std::size_t extra) {
    std::size_t n = 0;
    if (!count(width, n))
      return false;
    if (n > (size_ - at_) / per)
      return fail("term cut short");
    return open(n * per + extra, 0);
  }
  // A node atom, then `rest` bytes (pids and ports).
  bool atom_then(std::size_t rest) {
    std::uint8_t tag = at_ < size_ ? data_[at_] : 0;
    if (tag != ERL_ATOM_EXT && tag != ERL_ATOM_UTF8_EXT && tag != ERL_SMALL_ATOM_EXT &&
        tag != ERL_SMALL_ATOM_UTF8_EXT)
      return fail(at_ < size_ ? "node of a pid, port or reference is not an atom" : "term cut short");
    std::size_t width = tag == ERL_ATOM_EXT || tag == ERL_ATOM_UTF8_EXT ? 2 : 1;
    ++at_;
    return counted(width, 1) && skip(rest);
  }
  bool reference(std::size_t creation_width) {
    std::size_t words = 0;
    if (!count(2, words))
      return false;
    if (words < 1 || words > 5)
      return fail("reference of " + std::to_string(words) + " words");
    return atom_then(creation_width + 4 * words);
  }
  // Size (counting itself), Arity, Uniq (16 bytes), Index, NumFree, then Module, OldIndex, OldUniq, Pid and
  // the free variables as terms: they must end exactly where Size says.
  bool new_fun() {
    auto start = at_;
    std::size_t fun_size = 0, free = 0;
    if (!count(4, fun_size) || !skip(1 + 16 + 4) || !count(4, free))
      return false;
    if (fun_size < at_ - start || fun_size > size_ - start)
      return fail(fun_size > size_ - start ? "term cut short" : "fun's size does not match its contents");
    return open(4 + free, start + fun_size);
  }

  const unsigned char* data_;
  std::size_t size_;
  std::size_t max_depth_;
  std::size_t at_ = 0;
  std::size_t pending_ = 0;
  std::vector<compound> open_;
  bool too_deep_ = false;
  std::string error_;
};

} // namespace

term_walk term_extent(const unsigned char* data, std::size_t size, std::size_t max_depth,
                      std::string& error) {
  walker w(data, size, max_depth);
  if (!w.walk()) {
    error = w.error();
    return {};
  }
  return {w.at(), w.too_deep()};
}

} // namespace plugnode::erlang::detail
