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

TEST_CASE("a log's term is cut to its bound, with the whole text's length") {
  auto big = to_string(binary_of(std::string(2'000'000, 'a')), log_term_limit);
  CHECK(big.size() < log_term_limit + 32);
  CHECK(big == "\"" + std::string(log_term_limit - 1, 'a') + "... (2000002 bytes)");
  CHECK(to_string(atom_of("ok"), log_term_limit) == ":ok");
  // Never inside a UTF-8 sequence: "é" is two bytes.
  auto accents = to_string(binary_of(std::string(100, 'x') + "\xc3\xa9\xc3\xa9"), 102);
  CHECK(accents == "\"" + std::string(100, 'x') + "... (106 bytes)");
}

TEST_CASE("big integers, funs, ports and bitstrings print as Elixir prints them") {
  CHECK(to_string(big_integer{false, std::string("\0\0\0\0\0\0\0\0\x40", 9)}) == "1180591620717411303424");
  CHECK(to_string(big_integer{true, std::string("\0\0\0\0\0\0\0\0\x01", 9)}) == "-18446744073709551616");
  CHECK(to_string(fun{"", "erlang", "node", 0, 0, 0}) == "&:erlang.node/0");
  CHECK(to_string(fun{"", "Elixir.Enum", "map", 2, 0, 0}) == "&Enum.map/2");
  CHECK(to_string(fun{"", "erl_eval", "", 0, 43, 3316493}) == "#Function<43.3316493/0 in :erl_eval>");
  CHECK(to_string(port{"a@h", 5, 1}) == "#Port<a@h.5>");
  CHECK(to_string(bitstring{"\x20", 3}) == "<<1::size(3)>>");
  CHECK(to_string(bitstring{"\xff\x20", 3}) == "<<255, 1::size(3)>>");
}

TEST_CASE("pids and references name their node") {
  CHECK(to_string(pid{"a@h", 108, 0, 1}) == "#PID<a@h.108.0>");
  CHECK(to_string(reference{"a@h", {3, 2, 1}, 1}) == "#Reference<a@h.1.2.3>");
}
