// term_format: Elixir's inspect notation.
#include <catch2/catch.hpp>

#include <memory>

#include "plugnode/erlang/term_format.hpp"

using namespace plugnode::erlang;

TEST_CASE("terms print as Elixir's inspect prints them") {
  CHECK(to_string(atom_of("ok")) == ":ok");
  CHECK(to_string(atom_of("true")) == "true");
  CHECK(to_string(atom_of("nil")) == "nil");
  CHECK(to_string(atom_of("a@127.0.0.1")) == R"(:"a@127.0.0.1")");
  CHECK(to_string(atom_of("with space")) == R"(:"with space")");
  CHECK(to_string(atom_of("valid?")) == ":valid?");
  CHECK(to_string(atom_of("Elixir.GenServer")) == "GenServer");
  CHECK(to_string(term(-7)) == "-7");
  CHECK(to_string(term(1.0)) == "1.0");
  CHECK(to_string(term(0.1)) == "0.1");
  CHECK(to_string(term(1e100)) == "1.0e100");
  CHECK(to_string(term(1.5e-7)) == "1.5e-7");
  CHECK(to_string(binary_of("Hello, Torben!")) == R"("Hello, Torben!")");
  CHECK(to_string(binary_of("a\"b\n")) == R"("a\"b\n")");
  CHECK(to_string(binary_of(std::string("\0\xff", 2))) == "<<0, 255>>");
  CHECK(to_string(binary_of("caf\xc3\xa9")) == "\"caf\xc3\xa9\"");
  CHECK(to_string(charlist{"abc"}) == "'abc'");
  CHECK(to_string(charlist{std::string("\1\2", 2)}) == "[1, 2]");
  CHECK(to_string(tuple_of(atom_of("greet"), binary_of("x"))) == R"({:greet, "x"})");
  CHECK(to_string(term()) == "[]");
  CHECK(to_string(list_of(1, 2)) == "[1, 2]");
  CHECK(to_string(term(list{{term(1)}, std::make_shared<const term>(term(2))})) == "[1 | 2]");
}

TEST_CASE("maps use the keyword form only when every key is a plain atom") {
  map keyword;
  keyword.entries.emplace_back(atom_of("a"), term(1));
  keyword.entries.emplace_back(atom_of("b"), term(2));
  CHECK(to_string(term(keyword)) == "%{a: 1, b: 2}");
  map mixed;
  mixed.entries.emplace_back(binary_of("a"), term(1));
  mixed.entries.emplace_back(atom_of("b"), term(2));
  CHECK(to_string(term(mixed)) == R"(%{"a" => 1, :b => 2})");
}

TEST_CASE("pids and references name their node") {
  CHECK(to_string(pid{"a@h", 108, 0, 1}) == "#PID<a@h.108.0>");
  CHECK(to_string(reference{"a@h", {3, 2, 1}, 1}) == "#Reference<a@h.1.2.3>");
}
