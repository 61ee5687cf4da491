// term: equality (maps as sets, improper tails) and the text a term spells.
#include <catch2/catch.hpp>

#include "plugnode/erlang/term.hpp"

using namespace plugnode::erlang;

TEST_CASE("terms compare structurally, maps as sets of entries") {
  map ab, ba;
  ab.entries = {{atom_of("a"), term(1)}, {atom_of("b"), term(2)}};
  ba.entries = {{atom_of("b"), term(2)}, {atom_of("a"), term(1)}};
  CHECK(term(ab) == term(ba));
  CHECK(list_of(1, 2) != term(list{{term(1)}, std::make_shared<const term>(term(2))}));
  CHECK(term() == list_of());
  CHECK(tuple_of(atom_of("ok"), 1) != tuple_of(atom_of("ok"), 1.0));
}

TEST_CASE("text_of reads atoms, binaries and charlists, nothing else") {
  CHECK(text_of(atom_of("greeter")) == "greeter");
  CHECK(text_of(binary_of("Torben")) == "Torben");
  CHECK(text_of(term(charlist{"abc"})) == "abc");
  CHECK_FALSE(text_of(term(1)));
  CHECK_FALSE(text_of(tuple_of(1)));
}
