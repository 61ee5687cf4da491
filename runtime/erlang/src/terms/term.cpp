// Equality of term.hpp's values: structural, with maps compared as sets of entries.
#include "plugnode/erlang/term.hpp"

#include <algorithm>

namespace plugnode::erlang {

bool term::is_atom(std::string_view name) const {
  auto a = get_if<atom>();
  return a != nullptr && a->name == name;
}

std::optional<std::string> text_of(const term& value) {
  if (auto a = value.get_if<atom>())
    return a->name;
  if (auto b = value.get_if<binary>())
    return b->bytes;
  if (auto c = value.get_if<charlist>())
    return c->chars;
  return std::nullopt;
}

bool operator==(const term& a, const term& b) {
  return a.value_ == b.value_;
}

bool operator==(const tuple& a, const tuple& b) {
  return a.elements == b.elements;
}

bool operator==(const list& a, const list& b) {
  if (a.elements != b.elements)
    return false;
  if (!a.tail || !b.tail)
    return !a.tail && !b.tail;
  return *a.tail == *b.tail;
}

bool operator==(const map& a, const map& b) {
  if (a.entries.size() != b.entries.size())
    return false;
  return std::all_of(a.entries.begin(), a.entries.end(), [&](const auto& entry) {
    return std::find(b.entries.begin(), b.entries.end(), entry) != b.entries.end();
  });
}

} // namespace plugnode::erlang
