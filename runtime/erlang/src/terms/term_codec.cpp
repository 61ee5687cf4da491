// The ei calls behind term_codec.hpp. Decoding runs only over bytes term_bounds has walked, so ei's
// decoders, which trust the lengths inside a term, stay inside the buffer.
#include "plugnode/erlang/term_codec.hpp"

#include <climits>
#include <cmath>
#include <cstring>
#include <stdexcept>

#include <ei.h>

#include "terms/term_bounds.hpp"

namespace plugnode::erlang {
namespace {

// An ei_x_buff freed on every path.
class x_buffer {
public:
  x_buffer() { ei_x_new_with_version(&x_); }
  ~x_buffer() { ei_x_free(&x_); }
  x_buffer(const x_buffer&) = delete;
  x_buffer& operator=(const x_buffer&) = delete;
  ei_x_buff* get() { return &x_; }
  std::string bytes() const { return std::string(x_.buff, static_cast<std::size_t>(x_.index)); }

private:
  ei_x_buff x_{};
};

void check(int rc, const char* what) {
  if (rc != 0)
    throw std::invalid_argument(std::string("cannot encode ") + what);
}

int length_of(std::size_t size, const char* what) {
  if (size > static_cast<std::size_t>(INT_MAX))
    throw std::invalid_argument(std::string(what) + " too large to encode");
  return static_cast<int>(size);
}

void copy_node(char (&out)[MAXATOMLEN_UTF8], const std::string& node) {
  if (node.size() >= sizeof out)
    throw std::invalid_argument("node name too long to encode");
  std::memcpy(out, node.c_str(), node.size() + 1);
}

struct encoder {
  ei_x_buff* x;

  void operator()(const atom& a) const {
    check(
        ei_x_encode_atom_len_as(x, a.name.data(), length_of(a.name.size(), "atom"), ERLANG_UTF8, ERLANG_UTF8),
        "atom (longer than 255 characters?)");
  }
  void operator()(std::int64_t i) const { check(ei_x_encode_longlong(x, i), "integer"); }
  void operator()(double d) const { check(ei_x_encode_double(x, d), "float (not finite?)"); }
  void operator()(const binary& b) const {
    check(ei_x_encode_binary(x, b.bytes.data(), length_of(b.bytes.size(), "binary")), "binary");
  }
  void operator()(const charlist& c) const {
    check(ei_x_encode_string_len(x, c.chars.data(), length_of(c.chars.size(), "charlist")), "charlist");
  }
  void operator()(const tuple& t) const {
    check(ei_x_encode_tuple_header(x, static_cast<long>(t.elements.size())), "tuple");
    for (auto& e : t.elements)
      std::visit(*this, e.value());
  }
  void operator()(const list& l) const {
    if (!l.elements.empty()) {
      check(ei_x_encode_list_header(x, static_cast<long>(l.elements.size())), "list");
      for (auto& e : l.elements)
        std::visit(*this, e.value());
    }
    if (l.tail)
      std::visit(*this, l.tail->value());
    else
      check(ei_x_encode_empty_list(x), "list");
  }
  void operator()(const map& m) const {
    check(ei_x_encode_map_header(x, static_cast<long>(m.entries.size())), "map");
    for (auto& [k, v] : m.entries) {
      std::visit(*this, k.value());
      std::visit(*this, v.value());
    }
  }
  void operator()(const pid& p) const {
    erlang_pid out{};
    copy_node(out.node, p.node);
    out.num = p.num;
    out.serial = p.serial;
    out.creation = p.creation;
    check(ei_x_encode_pid(x, &out), "pid");
  }
  void operator()(const reference& r) const {
    erlang_ref out{};
    copy_node(out.node, r.node);
    if (r.ids.empty() || r.ids.size() > 5)
      throw std::invalid_argument("cannot encode a reference of " + std::to_string(r.ids.size()) + " words");
    out.len = static_cast<int>(r.ids.size());
    for (std::size_t i = 0; i < r.ids.size(); ++i)
      out.n[i] = r.ids[i];
    out.creation = r.creation;
    check(ei_x_encode_ref(x, &out), "reference");
  }
};

// Decodes the (already bounds-checked) term at `index`. ei's return codes still matter: an integer beyond
// 64 bits or an atom in a bad encoding fails here.
class decoder {
public:
  explicit decoder(const char* buf) : buf_(buf) {}

  std::optional<term> next(int& index) {
    int type = 0, size = 0;
    if (ei_get_type(buf_, &index, &type, &size) != 0)
      return fail("unreadable term");
    switch (type) {
    case ERL_SMALL_INTEGER_EXT:
    case ERL_INTEGER_EXT:
    case ERL_SMALL_BIG_EXT:
    case ERL_LARGE_BIG_EXT: {
      long long i = 0;
      if (ei_decode_longlong(buf_, &index, &i) != 0)
        return fail("integer beyond 64 bits");
      return term(std::int64_t{i});
    }
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

std::string encode_term(const term& value) {
  x_buffer x;
  std::visit(encoder{x.get()}, value.value());
  return x.bytes();
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
  auto extent = detail::term_extent(data + 1, bytes.size() - 1, max_depth, error);
  if (extent == 0)
    return std::nullopt;
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
