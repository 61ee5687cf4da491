// term_codec: round trips through ei, bytes as a real BEAM writes them, and a peer's bad bytes refused.
#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>

#include "plugnode/erlang/term_codec.hpp"
#include "plugnode/erlang/term_format.hpp"

using namespace plugnode::erlang;

namespace {

term decoded(const std::string& bytes) {
  std::string error;
  auto value = decode_term(bytes, error);
  INFO(error);
  REQUIRE(value);
  return *value;
}

std::string refusal(const std::string& bytes) {
  std::string error;
  auto value = decode_term(bytes, error);
  CHECK_FALSE(value);
  return error;
}

// What `erl` itself encodes for the Erlang expression `expr`, through term_to_binary.
std::string erl_encoded(const std::string& expr) {
  auto command =
      "erl -noshell -eval 'io:put_chars(binary:encode_hex(term_to_binary(" + expr + "))), halt().' 2>&1";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  REQUIRE(pipe);
  std::string hex;
  char buf[4096];
  while (auto n = std::fread(buf, 1, sizeof buf, pipe.get()))
    hex.append(buf, n);
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

// A closure (NEW_FUN_EXT) of module m, index 0, whose one free variable is `inner`.
std::string closure_around(const std::string& inner) {
  std::string after_size = std::string(1, '\0') + std::string(16, '\0') + std::string(4, '\0') +
                           std::string("\0\0\0\x01", 4) + "\x77\x01m" + std::string("\x61\x00", 2) +
                           std::string("\x61\x00", 2) + "\x58\x77\x03" + "a@h" + std::string(12, '\0') +
                           inner;
  auto n = static_cast<std::uint32_t>(after_size.size() + 4);
  return std::string("\x70") + static_cast<char>(n >> 24) + static_cast<char>(n >> 16) +
         static_cast<char>(n >> 8) + static_cast<char>(n) + after_size;
}

term sample() {
  map m;
  m.entries.emplace_back(atom_of("name"), binary_of("Torben"));
  m.entries.emplace_back(binary_of("n"), term(42));
  list improper{{term(1)}, std::make_shared<const term>(atom_of("alias"))};
  return tuple_of(atom_of("ok"), -(std::int64_t{1} << 40), 2.5, binary_of(std::string("\0\1\xff", 3)),
                  charlist{"abc"}, list_of(1, 2, 3), term(std::move(m)), term(std::move(improper)),
                  pid{"a@127.0.0.1", 108, 0, 3}, reference{"a@127.0.0.1", {1, 2, 3}, 7}, term(),
                  atom_of("é"));
}

} // namespace

TEST_CASE("every kind of term survives an encode and decode") {
  auto value = sample();
  auto bytes = encode_term(value);
  CHECK(static_cast<unsigned char>(bytes[0]) == 131);
  std::size_t consumed = 0;
  std::string error;
  auto back = decode_term(bytes + "rest", error, &consumed);
  REQUIRE(back);
  CHECK(*back == value);
  CHECK(consumed == bytes.size());
}

TEST_CASE("terms encoded by a real BEAM decode to what the expression says") {
  auto value = decoded(erl_encoded(
      R"({ok, <<"Hello, Torben!">>, "abc", [1, 2 | 3], #{a => 1}, 1.5, -123456789012, list_to_atom("Elixir.Foo")})"));
  CHECK(to_string(value) ==
        R"({:ok, "Hello, Torben!", 'abc', [1, 2 | 3], %{a: 1}, 1.5, -123456789012, Foo})");
  auto pid = decoded(erl_encoded("self()"));
  REQUIRE(pid.is<plugnode::erlang::pid>());
  CHECK(pid.get_if<plugnode::erlang::pid>()->node == "nonode@nohost");
  auto ref = decoded(erl_encoded("make_ref()"));
  REQUIRE(ref.is<reference>());
  CHECK(ref.get_if<reference>()->ids.size() >= 3);
  // And back: BEAM's own bytes re-encoded by ei are equal terms again.
  CHECK(decoded(encode_term(value)) == value);
}

TEST_CASE("big integers, funs, ports and bitstrings from a real BEAM decode, print, and encode back") {
  struct sample {
    const char* expr;
    const char* printed;
  };
  for (auto [expr, printed] : {
           sample{"1 bsl 70", "1180591620717411303424"},
           sample{"-(1 bsl 70)", "-1180591620717411303424"},
           sample{"1 bsl 63", "9223372036854775808"},
           sample{"-(1 bsl 63)", "-9223372036854775808"},
           sample{"1 bsl 2100", nullptr}, // a LARGE_BIG_EXT (over 255 digits)
           sample{"fun erlang:node/0", "&:erlang.node/0"},
           sample{"begin M = list_to_atom(\"Elixir.Enum\"), fun M:map/2 end", "&Enum.map/2"},
           sample{"fun() -> 1 end", nullptr},
           sample{"begin X = {1, self()}, fun() -> X end end", nullptr}, // free variables
           sample{"hd(erlang:ports())", "#Port<nonode@nohost.0>"},
           sample{"<<1:3>>", "<<1::size(3)>>"},
           sample{"<<255, 1:3>>", "<<255, 1::size(3)>>"},
           sample{"<<1:8>>", "<<1>>"},
           sample{"make_ref()", nullptr},
           sample{"self()", nullptr},
       }) {
    INFO(expr);
    auto bytes = erl_encoded(expr);
    auto value = decoded(bytes);
    if (printed)
      CHECK(to_string(value) == printed);
    // Equal again (a fun's bytes unchanged: the fun handed back is the fun its node made); node atoms may
    // change their encoding (BEAM writes ATOM_EXT, ei SMALL_ATOM_UTF8_EXT).
    CHECK(decoded(encode_term(value)) == value);
  }
  auto closure = decoded(erl_encoded("fun() -> 1 end"));
  REQUIRE(closure.is<fun>());
  CHECK_THAT(to_string(closure), Catch::StartsWith("#Function<") && Catch::EndsWith("/0 in :erl_eval>"));
  CHECK(decoded(erl_encoded("1 bsl 2100")).is<big_integer>());
  CHECK_THAT(to_string(decoded(erl_encoded("1 bsl 2100"))), Catch::StartsWith("0x1000"));
  // Every kind in one message, as a BEAM node would send it.
  auto mix = erl_encoded("{1 bsl 70, fun erlang:node/0, fun() -> ok end, hd(erlang:ports()), <<1:3>>, "
                         "make_ref(), self(), #{[1 bsl 64] => <<7:5>>}}");
  CHECK(decoded(encode_term(decoded(mix))) == decoded(mix));
}

TEST_CASE("a term nested 10,000 deep is refused, not recursed into, but measured") {
  std::string bytes(1, '\x83');
  for (int i = 0; i < 10000; ++i)
    bytes += "\x68\x01"; // a tuple of one element, 10,000 times
  bytes += "\x6a";       // []
  std::string error;
  std::size_t consumed = 0;
  CHECK_FALSE(decode_term(bytes + "rest", error, &consumed));
  CHECK(error == "term nested deeper than 512");
  CHECK(consumed == bytes.size()); // well-formed: a frame's reader can skip it and keep the connection
  // 512 levels are held.
  std::string ok(1, '\x83');
  for (int i = 0; i < 512; ++i)
    ok += "\x68\x01";
  ok += "\x6a";
  CHECK(decoded(ok).is<tuple>());
  // Funs nested in funs' free variables count as levels too (the decoder recurses into those).
  std::string funs = "\x61\x01";
  for (int i = 0; i < 600; ++i)
    funs = closure_around(funs);
  consumed = 0;
  CHECK_FALSE(decode_term("\x83" + funs, error, &consumed));
  CHECK(error == "term nested deeper than 512");
  CHECK(consumed == funs.size() + 1);
}

TEST_CASE("every truncation of a valid term is refused") {
  auto bytes = encode_term(sample());
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    INFO("cut at " << cut);
    std::string error;
    CHECK_FALSE(decode_term(bytes.substr(0, cut), error));
    CHECK_FALSE(error.empty());
  }
}

TEST_CASE("lengths beyond the buffer, unknown tags and missing version bytes are refused") {
  CHECK(refusal(std::string("\x83\x6d\x06\x00\x00\x00", 7) + "abc") == "term cut short"); // 100 MB binary
  CHECK(refusal(std::string("\x83\x6c\xff\xff\xff\xff\x6a", 7)) == "term cut short");     // 4G-element list
  CHECK(refusal(std::string("\x83\x75\x00", 3)) == "unsupported term tag 117");           // old FUN_EXT
  CHECK(refusal(std::string("\x68\x00", 2)) == "no version byte (131) before the term");  // no version
  CHECK(refusal("") == "empty term");
  // Bitstrings of no bits or more than 8 in their last byte; a fun whose size says less than it holds.
  CHECK(refusal(std::string("\x83\x4d\x00\x00\x00\x01\x00\x01", 8)) ==
        "bitstring with 0 bits in its last byte");
  CHECK(refusal(std::string("\x83\x4d\x00\x00\x00\x00\x03", 7)) == "bitstring with 3 bits in its last byte");
  auto closure = erl_encoded("fun() -> 1 end");
  auto shrunk = closure;
  shrunk[5] = static_cast<char>(shrunk[5] - 1); // the low byte of Size
  CHECK(refusal(shrunk) == "fun's size does not match its contents");
  // A hand-made closure holding closures decodes, and encodes back to its bytes.
  auto nested = "\x83" + closure_around(closure_around("\x61\x07"));
  CHECK(encode_term(decoded(nested)) == nested);
}

TEST_CASE("an empty string is [] as Erlang reads it, also as a list's tail (found by fuzz_term)") {
  CHECK(decoded(std::string("\x83\x6b\x00\x00", 4)) == term(list{}));
  // [1 | ""] is [1]: a proper list, encoded back as one.
  auto one = decoded(std::string("\x83\x6c\x00\x00\x00\x01\x61\x01\x6b\x00\x00", 11));
  CHECK(to_string(one) == "[1]");
  CHECK(decoded(encode_term(one)) == one);
}

TEST_CASE("NaN and infinity are refused, as binary_to_term refuses them (found by fuzz_term)") {
  CHECK(refusal(std::string("\x83\x46\x7f\xf8\x00\x00\x00\x00\x00\x00", 10)) ==
        "not a finite float (Erlang has no NaN or infinity)");
  CHECK(refusal(std::string("\x83\x46\x7f\xf0\x00\x00\x00\x00\x00\x00", 10)) ==
        "not a finite float (Erlang has no NaN or infinity)");
}

TEST_CASE("what Erlang cannot hold is refused on encode") {
  CHECK_THROWS_AS(encode_term(atom_of(std::string(300, 'a'))), std::invalid_argument);
  CHECK_THROWS_AS(encode_term(reference{"a@h", {}, 0}), std::invalid_argument);
}
