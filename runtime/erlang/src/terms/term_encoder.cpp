// The encoding half of term_codec.hpp: a term's value into Erlang's external format through ei's encoders,
// and by hand for the kinds ei has no encoder for (bignums, funs, V4 ports, bitstrings).
#include "plugnode/erlang/term_codec.hpp"

#include <climits>
#include <cstring>
#include <stdexcept>

#include <ei.h>

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

// Big-endian bytes of `value`, `width` of them, as the external format writes its fixed-size fields.
std::string be(std::uint64_t value, std::size_t width) {
  std::string out(width, '\0');
  for (std::size_t i = 0; i < width; ++i)
    out[width - 1 - i] = static_cast<char>(value >> (8 * i));
  return out;
}

void append(ei_x_buff* x, const std::string& bytes) {
  check(ei_x_append_buf(x, bytes.data(), length_of(bytes.size(), "term")), "term");
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
  void operator()(const big_integer& b) const {
    auto n = b.magnitude.size();
    if (n > 0xffffffffu)
      throw std::invalid_argument("integer too large to encode");
    append(x, n <= 255 ? std::string(1, char(ERL_SMALL_BIG_EXT)) + be(n, 1)
                       : std::string(1, char(ERL_LARGE_BIG_EXT)) + be(n, 4));
    append(x, std::string(1, b.negative ? '\1' : '\0') + b.magnitude);
  }
  void operator()(const fun& f) const { append(x, f.bytes); }
  void operator()(const port& p) const {
    bool v4 = p.id > 0xffffffffu; // NEW_PORT_EXT holds 32 bits of id, V4_PORT_EXT 64 (OTP 24+)
    append(x, std::string(1, char(v4 ? ERL_V4_PORT_EXT : ERL_NEW_PORT_EXT)));
    (*this)(atom{p.node});
    append(x, be(p.id, v4 ? 8 : 4) + be(p.creation, 4));
  }
  void operator()(const bitstring& b) const {
    if (b.bits < 1 || b.bits > 8 || b.bytes.empty())
      throw std::invalid_argument("cannot encode a bitstring of " + std::to_string(b.bits) + " bits");
    append(x, std::string(1, char(ERL_BIT_BINARY_EXT)) + be(b.bytes.size(), 4) + be(b.bits, 1) + b.bytes);
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

} // namespace

std::string encode_term(const term& value) {
  x_buffer x;
  std::visit(encoder{x.get()}, value.value());
  return x.bytes();
}

} // namespace plugnode::erlang
