// The remote shell's dig-style nslookup; see nslookup.hpp.
#include "plugnode/discovery/nslookup.hpp"

#include <algorithm>
#include <cctype>

#include <fmt/format.h>

namespace plugnode::discovery {
namespace {

std::string line(const std::string& name, std::uint32_t ttl, std::string_view type, const std::string& data) {
  return fmt::format("{:<40} {:>6} IN {:<5} {}\n", name, ttl, type, data);
}

std::string address_line(const address_record& r) {
  return line(r.name, r.ttl, r.ipv6 ? "AAAA" : "A", r.address);
}

std::string_view type_text(lookup_type type) {
  switch (type) {
  case lookup_type::srv: return "SRV";
  case lookup_type::a: return "A";
  case lookup_type::aaaa: return "AAAA";
  }
  return "A";
}

} // namespace

std::optional<lookup_type> parse_lookup_type(std::string_view text) {
  std::string lower(text);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  if (lower.empty() || lower == "a")
    return lookup_type::a;
  if (lower == "srv")
    return lookup_type::srv;
  if (lower == "aaaa")
    return lookup_type::aaaa;
  return std::nullopt;
}

constexpr std::string_view answer_heading = ";; ANSWER SECTION:\n";

bool nslookup_answered(std::string_view text) {
  return text.substr(0, answer_heading.size()) == answer_heading;
}

std::string nslookup(const dns_client& client, std::string_view name, lookup_type type) {
  auto failed = [&](const dns_error& error) {
    return fmt::format(";; {} {}: {}\n", name, type_text(type), error.message());
  };
  std::string out(answer_heading);
  if (type == lookup_type::srv) {
    auto answer = client.srv(name);
    if (!answer)
      return failed(answer.error());
    std::string additional;
    for (const auto& r : answer.value()) {
      out += line(r.name, r.ttl, "SRV", fmt::format("{} {} {} {}", r.priority, r.weight, r.port, r.target));
      for (const auto& a : r.addresses)
        additional += address_line(a);
    }
    if (!additional.empty())
      out += "\n;; ADDITIONAL SECTION:\n" + additional;
    return out;
  }
  auto answer = type == lookup_type::a ? client.a(name) : client.aaaa(name);
  if (!answer)
    return failed(answer.error());
  for (const auto& r : answer.value())
    out += address_line(r);
  return out;
}

} // namespace plugnode::discovery
