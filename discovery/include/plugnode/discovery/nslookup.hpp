// nslookup: the remote shell's `nslookup NAME [srv|a|aaaa]`, through discovery's own DNS client (same
// server, same search list), printed like dig's answer and additional sections.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "plugnode/discovery/dns_client.hpp"

namespace plugnode::discovery {

enum class lookup_type { srv, a, aaaa };

// "srv", "a", "aaaa" (any case); an empty text means "a". nullopt for anything else.
std::optional<lookup_type> parse_lookup_type(std::string_view text);

// The answer as text, one record per line, or a line `;; NAME TYPE: <error>` when the lookup failed.
std::string nslookup(const dns_client& client, std::string_view name, lookup_type type);

// Whether an nslookup text is an answer rather than an error line (it crosses the actor boundary as text).
bool nslookup_answered(std::string_view text);

} // namespace plugnode::discovery
