// uri: the decoding of request paths, query strings and urlencoded bodies, strict where browsers are lax:
// a malformed escape is an error (400), never passed on half-decoded.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace plugnode::plugs {

// Decodes %XX escapes (and '+' as a space when `plus_is_space`, the form encoding). nullopt when an escape is
// truncated or not hexadecimal, or decodes to a NUL byte.
std::optional<std::string> percent_decode(std::string_view text, bool plus_is_space = false);

// Splits an absolute path ("/a/b%20c/") into decoded segments ({"a", "b c"}); empty segments are dropped.
// nullopt for a path not starting with '/', a malformed escape, or a "." or ".." segment (encoded or not),
// which only ever serve to climb out of a directory.
std::optional<std::vector<std::string>> split_path(std::string_view path);

// Parses "a=1&b=x+y" (query strings and application/x-www-form-urlencoded bodies); the last of repeated
// keys wins, a key without '=' has an empty value. nullopt for a malformed escape.
std::optional<std::map<std::string, std::string>> parse_query(std::string_view query);

} // namespace plugnode::plugs
