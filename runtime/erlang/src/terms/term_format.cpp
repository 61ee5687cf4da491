// Elixir's inspect notation for term.hpp's values. Where Elixir needs its own node table (the first number of
// a remote `#PID<...>`), the node's name is printed instead.
#include "plugnode/erlang/term_format.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

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

void quoted(std::string& out, const std::string& text, char quote) {
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

struct printer {
  std::string& out;

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
  void operator()(std::int64_t i) const { out += std::to_string(i); }
  void operator()(double d) const { out += float_text(d); }
  void operator()(const binary& b) const {
    if (printable(b.bytes))
      return quoted(out, b.bytes, '"');
    out += "<<";
    for (std::size_t i = 0; i < b.bytes.size(); ++i)
      out += (i ? ", " : "") + std::to_string(static_cast<unsigned char>(b.bytes[i]));
    out += ">>";
  }
  void operator()(const charlist& c) const {
    if (printable(c.chars))
      return quoted(out, c.chars, '\'');
    out += '[';
    for (std::size_t i = 0; i < c.chars.size(); ++i)
      out += (i ? ", " : "") + std::to_string(static_cast<unsigned char>(c.chars[i]));
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
  std::string out;
  std::visit(printer{out}, value.value());
  return out;
}

} // namespace plugnode::erlang
