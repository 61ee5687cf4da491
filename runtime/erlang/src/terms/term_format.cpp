// Elixir's inspect notation for term.hpp's values. Where Elixir needs its own node table (the first number of
// a remote `#PID<...>`), the node's name is printed instead.
#include "plugnode/erlang/term_format.hpp"

#include "plugnode/erlang/term_codec.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

namespace plugnode::erlang {
namespace {

// Whether `name` prints bare after a colon (`:ok`, `:"with space"` otherwise).
bool plain_atom(const std::string& name) {
  if (name.empty() || !(std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  for (std::size_t i = 0; i < name.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    bool last = i + 1 == name.size();
    if (!(std::isalnum(c) || c == '_' || c == '@' || (last && (c == '?' || c == '!'))))
      return false;
  }
  return true;
}

// Valid UTF-8 with no control characters but the usual whitespace: what Elixir prints as "text".
bool printable(const std::string& bytes) {
  std::size_t i = 0;
  while (i < bytes.size()) {
    unsigned char c = static_cast<unsigned char>(bytes[i]);
    std::size_t extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xe ? 2 : (c >> 3) == 0x1e ? 3 : 9;
    if (extra == 9 || i + extra >= bytes.size())
      return false;
    if (extra == 0 && c < 0x20 && c != '\n' && c != '\t' && c != '\r')
      return false;
    if (c == 0x7f)
      return false;
    for (std::size_t k = 1; k <= extra; ++k)
      if ((static_cast<unsigned char>(bytes[i + k]) >> 6) != 0x2)
        return false;
    i += extra + 1;
  }
  return true;
}

// Where a printed term goes: all of it, or its first `limit` bytes with the rest only counted.
class sink {
public:
  explicit sink(std::size_t limit) : limit_(limit) {}
  sink& operator+=(char c) { return add(std::string_view(&c, 1)); }
  sink& operator+=(const std::string& s) { return add(s); }
  sink& operator+=(const char* s) { return add(s); }
  // A number, formatted on the stack: a list of millions of integers costs no allocation per element.
  template <class Int> sink& number(Int n) {
    char buf[24];
    auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
    return add(std::string_view(buf, static_cast<std::size_t>(end - buf)));
  }
  std::size_t total() const { return total_; }
  std::string& text() { return text_; }

private:
  sink& add(std::string_view s) {
    total_ += s.size();
    if (text_.size() < limit_)
      text_.append(s.substr(0, limit_ - text_.size()));
    return *this;
  }
  std::size_t limit_;
  std::size_t total_ = 0;
  std::string text_;
};

void quoted(sink& out, const std::string& text, char quote) {
  out += quote;
  for (char c : text) {
    switch (c) {
    case '\n': out += "\\n"; break;
    case '\t': out += "\\t"; break;
    case '\r': out += "\\r"; break;
    case '\\': out += "\\\\"; break;
    default:
      if (c == quote)
        out += '\\';
      out += c;
    }
  }
  out += quote;
}

// The shortest decimal that reads back as the same double, with ".0" when it would look like an integer.
std::string float_text(double d) {
  if (!std::isfinite(d))
    return std::isnan(d) ? "nan" : (d > 0 ? "inf" : "-inf");
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, d);
    if (std::strtod(buf, nullptr) == d)
      break;
  }
  std::string text = buf;
  if (auto e = text.find('e'); e != std::string::npos) { // 1e+100 -> 1e100, 1e-05 -> 1e-5
    auto digits = text.find_first_not_of("+-0", e + 1);
    auto sign = text[e + 1] == '-' ? "-" : "";
    text = text.substr(0, e + 1) + sign + (digits == std::string::npos ? "0" : text.substr(digits));
  }
  if (text.find_first_of(".e") == std::string::npos)
    text += ".0";
  else if (auto e = text.find('e'); e != std::string::npos && text.find('.') == std::string::npos)
    text.insert(e, ".0");
  return text;
}

// Decimal digits of a magnitude (bytes least significant first), by repeated division: quadratic, so only
// for magnitudes of up to 128 bytes; larger ones print in hex (Elixir reads 0x... as the same integer).
std::string digits_of(const big_integer& b) {
  std::string text;
  if (b.magnitude.size() > 128) {
    static const char hex[] = "0123456789ABCDEF";
    text = "0x";
    for (auto it = b.magnitude.rbegin(); it != b.magnitude.rend(); ++it) {
      auto byte = static_cast<unsigned char>(*it);
      if (text.size() > 2 || byte >> 4)
        text += hex[byte >> 4];
      text += hex[byte & 0xf];
    }
  } else {
    std::vector<std::uint32_t> n(b.magnitude.rbegin(), b.magnitude.rend()); // most significant first
    for (auto& d : n)
      d &= 0xff;
    while (!n.empty()) {
      std::uint32_t rest = 0;
      std::vector<std::uint32_t> quotient;
      for (auto d : n) {
        auto cur = rest * 256 + d;
        if (!quotient.empty() || cur / 10)
          quotient.push_back(cur / 10);
        rest = cur % 10;
      }
      text += static_cast<char>('0' + rest);
      n = std::move(quotient);
    }
    std::reverse(text.begin(), text.end());
  }
  return (b.negative ? "-" : "") + text;
}

struct printer {
  sink& out;

  void operator()(const big_integer& b) const { out += digits_of(b); }
  void operator()(const fun& value) const {
    // &:erlang.node/0 for an export; a closure as Elixir shows one, by the index and uniq BEAM gave it.
    auto f = describe(value);
    if (!f.name.empty()) {
      out += '&';
      (*this)(atom{f.module});
      out += '.' + f.name + '/' + std::to_string(f.arity);
      return;
    }
    out += "#Function<" + std::to_string(f.index) + "." + std::to_string(f.uniq) + "/" +
           std::to_string(f.arity) + " in ";
    (*this)(atom{f.module});
    out += '>';
  }
  void operator()(const port& p) const { out += "#Port<" + p.node + "." + std::to_string(p.id) + ">"; }
  void operator()(const bitstring& b) const {
    // <<255, 1::size(3)>>: the whole bytes, then the last one's used bits as their value.
    out += "<<";
    for (std::size_t i = 0; i + 1 < b.bytes.size(); ++i)
      out.number(static_cast<unsigned char>(b.bytes[i])) += ", ";
    auto last = static_cast<unsigned char>(b.bytes.back()) >> (8 - b.bits);
    out += std::to_string(last) + "::size(" + std::to_string(b.bits) + ")>>";
  }
  void operator()(const atom& a) const {
    static const std::string alias = "Elixir.";
    if (a.name == "true" || a.name == "false" || a.name == "nil") {
      out += a.name;
    } else if (a.name.compare(0, alias.size(), alias) == 0 && a.name.size() > alias.size()) {
      out += a.name.substr(alias.size()); // a module name: Foo
    } else if (plain_atom(a.name)) {
      out += ':';
      out += a.name;
    } else {
      out += ':';
      quoted(out, a.name, '"');
    }
  }
  void operator()(std::int64_t i) const { out.number(i); }
  void operator()(double d) const { out += float_text(d); }
  void operator()(const binary& b) const {
    if (printable(b.bytes))
      return quoted(out, b.bytes, '"');
    out += "<<";
    for (std::size_t i = 0; i < b.bytes.size(); ++i)
      (i ? out += ", " : out).number(static_cast<unsigned char>(b.bytes[i]));
    out += ">>";
  }
  void operator()(const charlist& c) const {
    if (printable(c.chars))
      return quoted(out, c.chars, '\'');
    out += '[';
    for (std::size_t i = 0; i < c.chars.size(); ++i)
      (i ? out += ", " : out).number(static_cast<unsigned char>(c.chars[i]));
    out += ']';
  }
  void operator()(const tuple& t) const {
    out += '{';
    sequence(t.elements);
    out += '}';
  }
  void operator()(const list& l) const {
    out += '[';
    sequence(l.elements);
    if (l.tail) {
      out += " | ";
      std::visit(*this, l.tail->value());
    }
    out += ']';
  }
  void operator()(const map& m) const {
    // `%{a: 1}` only when every key is such an atom, `%{"a" => 1, :b => 2}` otherwise, as Elixir does.
    bool keyword = std::all_of(m.entries.begin(), m.entries.end(), [](auto& entry) {
      auto key = entry.first.template get_if<atom>();
      return key && plain_atom(key->name);
    });
    out += "%{";
    bool first = true;
    for (auto& [k, v] : m.entries) {
      out += first ? "" : ", ";
      first = false;
      if (keyword) {
        out += k.get_if<atom>()->name + ": ";
      } else {
        std::visit(*this, k.value());
        out += " => ";
      }
      std::visit(*this, v.value());
    }
    out += '}';
  }
  void operator()(const pid& p) const {
    out += "#PID<" + p.node + "." + std::to_string(p.num) + "." + std::to_string(p.serial) + ">";
  }
  void operator()(const reference& r) const {
    out += "#Reference<" + r.node;
    for (auto it = r.ids.rbegin(); it != r.ids.rend(); ++it)
      out += "." + std::to_string(*it);
    out += '>';
  }

  void sequence(const std::vector<term>& xs) const {
    for (std::size_t i = 0; i < xs.size(); ++i) {
      out += i ? ", " : "";
      std::visit(*this, xs[i].value());
    }
  }
};

} // namespace

std::string to_string(const term& value) {
  return to_string(value, std::string::npos);
}

std::string to_string(const term& value, std::size_t limit) {
  sink out(limit);
  std::visit(printer{out}, value.value());
  auto& text = out.text();
  if (out.total() <= limit)
    return std::move(text);
  while (!text.empty() && (static_cast<unsigned char>(text.back()) & 0xc0) == 0x80)
    text.pop_back(); // a UTF-8 sequence cut short: its continuation bytes
  if (!text.empty() && static_cast<unsigned char>(text.back()) >= 0xc0)
    text.pop_back(); // and its lead byte
  return text + "... (" + std::to_string(out.total()) + " bytes)";
}

} // namespace plugnode::erlang
