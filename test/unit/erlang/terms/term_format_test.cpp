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

namespace {

// `&module.name/arity` as EXPORT_EXT: the tag, two SMALL_ATOM_UTF8_EXT, a SMALL_INTEGER_EXT.
fun export_fun(const std::string& module, const std::string& name, char arity) {
  auto atom = [](const std::string& text) {
    return "\x77" + std::string(1, static_cast<char>(text.size())) + text;
  };
  return fun{"\x71" + atom(module) + atom(name) + "\x61" + std::string(1, arity)};
}

} // namespace

TEST_CASE("big integers, funs, ports and bitstrings print as Elixir prints them") {
  CHECK(to_string(big_integer{false, std::string("\0\0\0\0\0\0\0\0\x40", 9)}) == "1180591620717411303424");
  CHECK(to_string(big_integer{true, std::string("\0\0\0\0\0\0\0\0\x01", 9)}) == "-18446744073709551616");
  // &:erlang.node/0 and &Enum.map/2 as EXPORT_EXT; a closure of erl_eval (NEW_FUN_EXT) with OldIndex 43 and
  // OldUniq 3316493, as term_to_binary writes them.
  CHECK(to_string(export_fun("erlang", "node", 0)) == "&:erlang.node/0");
  CHECK(to_string(export_fun("Elixir.Enum", "map", 2)) == "&Enum.map/2");
  std::string closure = std::string(1 + 16 + 4, '\0') + std::string("\0\0\0\0", 4) +
                        "\x77\x08"
                        "erl_eval" +
                        std::string("\x61\x2b\x62\x00\x32\x9b\x0d", 7) +
                        "\x58\x77\x03"
                        "a@h" +
                        std::string(12, '\0');
  auto n = static_cast<char>(closure.size() + 4);
  CHECK(to_string(fun{std::string("\x70\0\0\0", 4) + n + closure}) == "#Function<43.3316493/0 in :erl_eval>");
  CHECK(to_string(fun{"not a fun"}) == "#Function<0.0/0 in :\"?\">");
  CHECK(to_string(port{"a@h", 5, 1}) == "#Port<a@h.5>");
  CHECK(to_string(bitstring{"\x20", 3}) == "<<1::size(3)>>");
  CHECK(to_string(bitstring{"\xff\x20", 3}) == "<<255, 1::size(3)>>");
}

TEST_CASE("pids and references name their node") {
  CHECK(to_string(pid{"a@h", 108, 0, 1}) == "#PID<a@h.108.0>");
  CHECK(to_string(reference{"a@h", {3, 2, 1}, 1}) == "#Reference<a@h.1.2.3>");
}
