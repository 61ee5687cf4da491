// The decoding half of term_codec.hpp. Decoding runs only over bytes term_bounds has walked, so ei's
// decoders, which trust the lengths inside a term, stay inside the buffer.
#include "plugnode/erlang/term_codec.hpp"

#include <climits>
#include <cmath>

#include <ei.h>

#include "terms/term_bounds.hpp"

namespace plugnode::erlang {
namespace {

std::uint64_t be_at(const char* at, std::size_t width) {
  std::uint64_t out = 0;
  for (std::size_t i = 0; i < width; ++i)
    out = (out << 8) | static_cast<unsigned char>(at[i]);
  return out;
}

// Decodes the (already bounds-checked) term at `index`. ei's return codes still matter: an atom in a bad
// encoding fails here. The kinds ei has no value for (bignums, funs, V4 ports, bitstrings) are read here.
class decoder {
public:
  explicit decoder(const char* buf) : buf_(buf) {}

  std::optional<term> next(int& index) {
    switch (static_cast<unsigned char>(buf_[index])) {
    case ERL_SMALL_BIG_EXT:
    case ERL_LARGE_BIG_EXT: return integer_at(index);
    case ERL_NEW_FUN_EXT: return closure_at(index);
    case ERL_EXPORT_EXT: return export_at(index);
    case ERL_PORT_EXT:
    case ERL_NEW_PORT_EXT:
    case ERL_V4_PORT_EXT: return port_at(index);
    case ERL_BIT_BINARY_EXT: return bits_at(index);
    default: break;
    }
    int type = 0, size = 0;
    if (ei_get_type(buf_, &index, &type, &size) != 0)
      return fail("unreadable term");
    switch (type) {
    case ERL_SMALL_INTEGER_EXT:
    case ERL_INTEGER_EXT: return integer_at(index);
    case NEW_FLOAT_EXT:
    case ERL_FLOAT_EXT: {
      double d = 0;
      if (ei_decode_double(buf_, &index, &d) != 0)
        return fail("unreadable float");
      if (!std::isfinite(d)) // binary_to_term refuses them too
        return fail("not a finite float (Erlang has no NaN or infinity)");
      return term(d);
    }
    case ERL_ATOM_EXT:
    case ERL_ATOM_UTF8_EXT:
    case ERL_SMALL_ATOM_EXT:
    case ERL_SMALL_ATOM_UTF8_EXT: {
      char name[MAXATOMLEN_UTF8];
      if (ei_decode_atom_as(buf_, &index, name, sizeof name, ERLANG_UTF8, nullptr, nullptr) != 0)
        return fail("unreadable atom");
      return term(atom{name});
    }
    case ERL_BINARY_EXT: {
      std::string bytes(static_cast<std::size_t>(size), '\0');
      long len = 0;
      if (ei_decode_binary(buf_, &index, bytes.data(), &len) != 0)
        return fail("unreadable binary");
      return term(binary{std::move(bytes)});
    }
    case ERL_STRING_EXT: {
      std::string chars(static_cast<std::size_t>(size) + 1, '\0');
      if (ei_decode_string(buf_, &index, chars.data()) != 0)
        return fail("unreadable charlist");
      chars.resize(static_cast<std::size_t>(size));
      // An empty STRING_EXT is Erlang's [] (a list tail too), as NIL_EXT is: one term, one value here.
      if (chars.empty())
        return term(list{});
      return term(charlist{std::move(chars)});
    }
    case ERL_SMALL_TUPLE_EXT:
    case ERL_LARGE_TUPLE_EXT: return tuple_at(index);
    case ERL_NIL_EXT:
    case ERL_LIST_EXT: return list_at(index);
    case ERL_MAP_EXT: return map_at(index);
    case ERL_PID_EXT:
    case ERL_NEW_PID_EXT: {
      erlang_pid p{};
      if (ei_decode_pid(buf_, &index, &p) != 0)
        return fail("unreadable pid");
      return term(pid{p.node, p.num, p.serial, p.creation});
    }
    case ERL_NEW_REFERENCE_EXT:
    case ERL_NEWER_REFERENCE_EXT: {
      erlang_ref r{};
      if (ei_decode_ref(buf_, &index, &r) != 0)
        return fail("unreadable reference");
      return term(reference{r.node, {r.n, r.n + r.len}, r.creation});
    }
    default: return fail("unsupported term type " + std::to_string(type));
    }
  }

  const std::string& error() const { return error_; }

private:
  std::optional<term> fail(std::string why) {
    error_ = std::move(why);
    return std::nullopt;
  }
  std::optional<std::string> atom_text(int& index) {
    char name[MAXATOMLEN_UTF8];
    if (ei_decode_atom_as(buf_, &index, name, sizeof name, ERLANG_UTF8, nullptr, nullptr) != 0)
      return std::nullopt;
    return std::string(name);
  }
  // An integer: an std::int64_t when it fits, else a big_integer (tag, digit count, sign, digits).
  std::optional<term> integer_at(int& index) {
    long long i = 0;
    int at = index;
    if (ei_decode_longlong(buf_, &at, &i) == 0) {
      index = at;
      return term(std::int64_t{i});
    }
    bool small = static_cast<unsigned char>(buf_[index]) == ERL_SMALL_BIG_EXT;
    auto n = static_cast<std::size_t>(be_at(buf_ + index + 1, small ? 1 : 4));
    const char* digits = buf_ + index + 1 + (small ? 1 : 4);
    big_integer b{digits[0] != 0, std::string(digits + 1, n)};
    while (!b.magnitude.empty() && b.magnitude.back() == '\0')
      b.magnitude.pop_back();
    index += static_cast<int>(1 + (small ? 1 : 4) + 1 + n);
    if (b.magnitude.size() <= 8) { // high zero digits ei would not take: still a 64-bit value
      std::uint64_t m = 0;
      for (auto it = b.magnitude.rbegin(); it != b.magnitude.rend(); ++it)
        m = (m << 8) | static_cast<unsigned char>(*it);
      constexpr std::uint64_t max = std::uint64_t{1} << 63;
      if (m < max || (b.negative && m == max))
        return term(b.negative ? static_cast<std::int64_t>(0 - m) : static_cast<std::int64_t>(m));
    }
    return term(std::move(b));
  }
  // NEW_FUN_EXT: kept whole; its module, OldIndex, OldUniq, pid and free variables are decoded to check
  // them (a fun handed back must be one its node reads).
  std::optional<term> closure_at(int& index) {
    auto start = index;
    auto size = be_at(buf_ + index + 1, 4);
    auto free = be_at(buf_ + index + 26, 4);
    int at = index + 30;
    auto module = atom_text(at);
    long old_index = 0, old_uniq = 0;
    erlang_pid owner{};
    if (!module || ei_decode_long(buf_, &at, &old_index) != 0 || ei_decode_long(buf_, &at, &old_uniq) != 0 ||
        ei_decode_pid(buf_, &at, &owner) != 0)
      return fail("unreadable fun");
    for (std::uint64_t i = 0; i < free; ++i)
      if (!next(at))
        return std::nullopt;
    index = start + 1 + static_cast<int>(size);
    return term(fun{std::string(buf_ + start, buf_ + index)});
  }
  // EXPORT_EXT: module, function, arity (a small integer).
  std::optional<term> export_at(int& index) {
    int at = index + 1;
    auto module = atom_text(at);
    auto name = module ? atom_text(at) : std::nullopt;
    if (!name || static_cast<unsigned char>(buf_[at]) != ERL_SMALL_INTEGER_EXT)
      return fail("unreadable export fun");
    auto start = index;
    index = at + 2;
    return term(fun{std::string(buf_ + start, buf_ + index)});
  }
  // PORT_EXT (id 4 bytes, creation 1), NEW_PORT_EXT (4, 4), V4_PORT_EXT (8, 4), each after the node.
  std::optional<term> port_at(int& index) {
    auto tag = static_cast<unsigned char>(buf_[index]);
    int at = index + 1;
    auto node = atom_text(at);
    if (!node)
      return fail("unreadable port");
    std::size_t id_width = tag == ERL_V4_PORT_EXT ? 8 : 4, creation_width = tag == ERL_PORT_EXT ? 1 : 4;
    port p{std::move(*node), be_at(buf_ + at, id_width),
           static_cast<std::uint32_t>(be_at(buf_ + at + id_width, creation_width))};
    index = at + static_cast<int>(id_width + creation_width);
    return term(std::move(p));
  }
  // BIT_BINARY_EXT: a whole last byte is a binary; the unused low bits of a partial one are cleared, as
  // BEAM ignores them.
  std::optional<term> bits_at(int& index) {
    auto n = static_cast<std::size_t>(be_at(buf_ + index + 1, 4));
    auto bits = static_cast<std::uint8_t>(buf_[index + 5]);
    std::string bytes(buf_ + index + 6, n);
    index += static_cast<int>(6 + n);
    if (bits == 8)
      return term(binary{std::move(bytes)});
    bytes.back() = static_cast<char>(static_cast<unsigned char>(bytes.back()) & (0xff << (8 - bits)));
    return term(bitstring{std::move(bytes), bits});
  }
  std::optional<term> tuple_at(int& index) {
    int arity = 0;
    if (ei_decode_tuple_header(buf_, &index, &arity) != 0)
      return fail("unreadable tuple");
    tuple t;
    t.elements.reserve(static_cast<std::size_t>(arity));
    for (int i = 0; i < arity; ++i) {
      auto e = next(index);
      if (!e)
        return std::nullopt;
      t.elements.push_back(std::move(*e));
    }
    return term(std::move(t));
  }
  std::optional<term> list_at(int& index) {
    int arity = 0;
    if (ei_decode_list_header(buf_, &index, &arity) != 0)
      return fail("unreadable list");
    list l;
    if (arity == 0)
      return term(std::move(l));
    l.elements.reserve(static_cast<std::size_t>(arity));
    for (int i = 0; i < arity; ++i) {
      auto e = next(index);
      if (!e)
        return std::nullopt;
      l.elements.push_back(std::move(*e));
    }
    auto tail = next(index);
    if (!tail)
      return std::nullopt;
    auto nil = tail->get_if<list>();
    if (nil == nullptr || !nil->elements.empty() || nil->tail)
      l.tail = std::make_shared<const term>(std::move(*tail));
    return term(std::move(l));
  }
  std::optional<term> map_at(int& index) {
    int arity = 0;
    if (ei_decode_map_header(buf_, &index, &arity) != 0)
      return fail("unreadable map");
    map m;
    m.entries.reserve(static_cast<std::size_t>(arity));
    for (int i = 0; i < arity; ++i) {
      auto k = next(index);
      if (!k)
        return std::nullopt;
      auto v = next(index);
      if (!v)
        return std::nullopt;
      m.entries.emplace_back(std::move(*k), std::move(*v));
    }
    return term(std::move(m));
  }

  const char* buf_;
  std::string error_;
};

} // namespace

fun_info describe(const fun& f) {
  fun_info info;
  std::string error;
  auto data = reinterpret_cast<const unsigned char*>(f.bytes.data());
  if (f.bytes.size() > static_cast<std::size_t>(INT_MAX) ||
      detail::term_extent(data, f.bytes.size(), max_term_depth, error).extent != f.bytes.size())
    return info;
  char name[MAXATOMLEN_UTF8];
  auto atom_at = [&](int& at, std::string& out) {
    if (ei_decode_atom_as(f.bytes.data(), &at, name, sizeof name, ERLANG_UTF8, nullptr, nullptr) != 0)
      return false;
    out = name;
    return true;
  };
  auto tag = data[0];
  if (tag == ERL_EXPORT_EXT) {
    int at = 1;
    std::string module;
    if (atom_at(at, module) && atom_at(at, info.name) && data[at] == ERL_SMALL_INTEGER_EXT) {
      info.module = std::move(module);
      info.arity = data[at + 1];
    }
  } else if (tag == ERL_NEW_FUN_EXT) {
    int at = 30;
    long old_index = 0, old_uniq = 0;
    std::string module;
    if (atom_at(at, module) && ei_decode_long(f.bytes.data(), &at, &old_index) == 0 &&
        ei_decode_long(f.bytes.data(), &at, &old_uniq) == 0) {
      info.module = std::move(module);
      info.arity = data[5];
      info.index = static_cast<std::uint32_t>(old_index);
      info.uniq = static_cast<std::uint32_t>(old_uniq);
    }
  }
  return info;
}

std::optional<term> decode_term(std::string_view bytes, std::string& error, std::size_t* consumed,
                                std::size_t max_depth) {
  constexpr unsigned char version_magic = 131;
  if (bytes.empty() || static_cast<unsigned char>(bytes[0]) != version_magic) {
    error = bytes.empty() ? "empty term" : "no version byte (131) before the term";
    return std::nullopt;
  }
  if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
    error = "term larger than 2 GB";
    return std::nullopt;
  }
  auto data = reinterpret_cast<const unsigned char*>(bytes.data());
  auto walk = detail::term_extent(data + 1, bytes.size() - 1, max_depth, error);
  if (walk.extent == 0)
    return std::nullopt;
  if (walk.too_deep) {
    error = "term nested deeper than " + std::to_string(max_depth);
    if (consumed)
      *consumed = 1 + walk.extent;
    return std::nullopt;
  }
  decoder d(bytes.data());
  int index = 1;
  auto value = d.next(index);
  if (!value) {
    error = d.error();
    return std::nullopt;
  }
  if (consumed)
    *consumed = static_cast<std::size_t>(index);
  return value;
}

} // namespace plugnode::erlang
