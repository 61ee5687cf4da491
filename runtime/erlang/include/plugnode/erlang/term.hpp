// term: an Erlang term as a C++ value, what messages to and from BEAM nodes carry (term_codec.hpp turns it
// into Erlang's external format and back, term_format.hpp prints it as Elixir would). Every kind a BEAM
// node can send has a value here; a fun is carried, not run (plugnode runs no Erlang code).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace plugnode::erlang {

class term;

struct atom {
  std::string name; // UTF-8
  friend bool operator==(const atom& a, const atom& b) { return a.name == b.name; }
};
struct binary {
  std::string bytes;
  friend bool operator==(const binary& a, const binary& b) { return a.bytes == b.bytes; }
};
// A list of small integers as Erlang's STRING_EXT carries it (Elixir's charlist, 'abc').
struct charlist {
  std::string chars;
  friend bool operator==(const charlist& a, const charlist& b) { return a.chars == b.chars; }
};
struct pid {
  std::string node;
  std::uint32_t num = 0, serial = 0, creation = 0;
  friend bool operator==(const pid& a, const pid& b) {
    return a.node == b.node && a.num == b.num && a.serial == b.serial && a.creation == b.creation;
  }
};
struct reference {
  std::string node;
  std::vector<std::uint32_t> ids; // 1 to 5 words
  std::uint32_t creation = 0;
  friend bool operator==(const reference& a, const reference& b) {
    return a.node == b.node && a.ids == b.ids && a.creation == b.creation;
  }
};
// An integer beyond 64 bits (Erlang's bignum): its magnitude's bytes, least significant first, without
// high zero bytes. A value that fits 64 bits is always an std::int64_t instead.
struct big_integer {
  bool negative = false;
  std::string magnitude;
  friend bool operator==(const big_integer& a, const big_integer& b) {
    return a.negative == b.negative && a.magnitude == b.magnitude;
  }
};
// A fun, `fn -> 1 end` (a closure: NEW_FUN_EXT) or `&:erlang.node/0` (EXPORT_EXT). plugnode cannot run
// it, only hand it back, so its bytes in the external format (tag first) are kept whole; term_codec.hpp's
// describe reads what a log shows of it. (One string: a term stays as small as a reference, which matters
// for a list of millions.)
struct fun {
  std::string bytes;
  friend bool operator==(const fun& a, const fun& b) { return a.bytes == b.bytes; }
};
struct port {
  std::string node;
  std::uint64_t id = 0;
  std::uint32_t creation = 0;
  friend bool operator==(const port& a, const port& b) {
    return a.node == b.node && a.id == b.id && a.creation == b.creation;
  }
};
// A bitstring whose length is no multiple of 8 (`<<1::3>>`): the last byte holds `bits` (1 to 7) bits in
// its high end, the rest zero.
struct bitstring {
  std::string bytes;
  std::uint8_t bits = 8;
  friend bool operator==(const bitstring& a, const bitstring& b) {
    return a.bits == b.bits && a.bytes == b.bytes;
  }
};
struct tuple {
  std::vector<term> elements;
};
// `[a, b]`, or `[a, b | tail]` when `tail` is set (gen:call's reply tag `[alias | Ref]` is one).
struct list {
  std::vector<term> elements;
  std::shared_ptr<const term> tail;
};
// Entries in the order they came (Erlang's maps are unordered; equality compares them as sets).
struct map {
  std::vector<std::pair<term, term>> entries;
};

class term {
public:
  using value_type = std::variant<atom, std::int64_t, double, binary, charlist, tuple, list, map, pid,
                                  reference, big_integer, fun, port, bitstring>;

  term() : value_(list{}) {} // [], Erlang's nil
  term(atom a) : value_(std::move(a)) {}
  term(std::int64_t i) : value_(i) {}
  term(int i) : value_(std::int64_t{i}) {}
  term(double d) : value_(d) {}
  term(binary b) : value_(std::move(b)) {}
  term(charlist c) : value_(std::move(c)) {}
  term(tuple t) : value_(std::move(t)) {}
  term(list l) : value_(std::move(l)) {}
  term(map m) : value_(std::move(m)) {}
  term(pid p) : value_(std::move(p)) {}
  term(reference r) : value_(std::move(r)) {}
  term(big_integer b) : value_(std::move(b)) {}
  term(fun f) : value_(std::move(f)) {}
  term(port p) : value_(std::move(p)) {}
  term(bitstring b) : value_(std::move(b)) {}

  const value_type& value() const { return value_; }
  template <class T> bool is() const { return std::holds_alternative<T>(value_); }
  template <class T> const T* get_if() const { return std::get_if<T>(&value_); }

  // True when this is the atom `name`.
  bool is_atom(std::string_view name) const;

  friend bool operator==(const term& a, const term& b);
  friend bool operator!=(const term& a, const term& b) { return !(a == b); }

private:
  value_type value_;
};

bool operator==(const tuple& a, const tuple& b);
bool operator==(const list& a, const list& b);
bool operator==(const map& a, const map& b);

// The text a term spells, for an atom, a binary or a charlist (what BEAM code passes as "a name"); else
// nullopt.
std::optional<std::string> text_of(const term& value);

// Shorthands for building terms in code: tuple_of(atom_of("ok"), binary_of("x")).
inline term atom_of(std::string name) {
  return term(atom{std::move(name)});
}
inline term binary_of(std::string bytes) {
  return term(binary{std::move(bytes)});
}
template <class... Ts> term tuple_of(Ts&&... xs) {
  return term(tuple{{term(std::forward<Ts>(xs))...}});
}
template <class... Ts> term list_of(Ts&&... xs) {
  return term(list{{term(std::forward<Ts>(xs))...}, nullptr});
}

} // namespace plugnode::erlang
