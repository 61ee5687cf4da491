// Parsing and printing `app@host` node names, strict as a resolver; see node_name.hpp.
#include "plugnode/runtime/node_name.hpp"

#include <netdb.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>

namespace plugnode::runtime {
namespace {

bool is_app_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-';
}

bool is_host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.';
}

// Checks a host as a resolver takes it: dot-separated labels of 1-63 characters that neither start nor end
// with '-', 253 characters at most. Dotted IPv4 addresses pass the same rule.
std::optional<std::string> host_problem(std::string_view host) {
  if (host.size() > 253)
    return "host part is longer than 253 characters";
  if (!std::all_of(host.begin(), host.end(), is_host_char))
    return "host part may hold only letters, digits, '-' and '.'";
  std::size_t start = 0;
  while (start <= host.size()) {
    auto end = host.find('.', start);
    if (end == std::string_view::npos)
      end = host.size();
    auto label = host.substr(start, end - start);
    if (label.empty()) {
      if (end == host.size() && start > 0)
        break; // one trailing dot: an absolute name
      return "host part has an empty label";
    }
    if (label.size() > 63)
      return "host label '" + std::string(label) + "' is longer than 63 characters";
    if (label.front() == '-' || label.back() == '-')
      return "host label '" + std::string(label) + "' starts or ends with '-'";
    start = end + 1;
  }
  return std::nullopt;
}

} // namespace

std::optional<node_name> node_name::parse(std::string_view text, std::string* error) {
  auto fail = [&](std::string why) -> std::optional<node_name> {
    if (error)
      *error = "invalid node name '" + std::string(text) + "': " + std::move(why);
    return std::nullopt;
  };
  if (text.size() > max_length)
    return fail("longer than " + std::to_string(max_length) + " characters");
  auto at = text.find('@');
  if (at == std::string_view::npos)
    return fail("expected app@host");
  if (text.find('@', at + 1) != std::string_view::npos)
    return fail("more than one '@'");
  auto app = text.substr(0, at);
  auto host = text.substr(at + 1);
  if (app.empty())
    return fail("the app part before '@' is empty");
  if (host.empty())
    return fail("the host part after '@' is empty");
  if (!std::all_of(app.begin(), app.end(), is_app_char))
    return fail("the app part may hold only letters, digits, '_' and '-'");
  if (auto problem = host_problem(host))
    return fail(*problem);
  // A trailing dot names the same host; dropping it keeps one spelling per node.
  if (host.back() == '.')
    host.remove_suffix(1);
  std::string lower_host(host);
  std::transform(lower_host.begin(), lower_host.end(), lower_host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return node_name(std::string(app), std::move(lower_host));
}

std::string fully_qualified_hostname() {
  std::array<char, 256> buf{};
  if (gethostname(buf.data(), buf.size() - 1) != 0)
    return "localhost";
  std::string host(buf.data());
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_flags = AI_CANONNAME;
  addrinfo* info = nullptr;
  if (getaddrinfo(host.c_str(), nullptr, &hints, &info) == 0 && info != nullptr) {
    if (info->ai_canonname != nullptr && std::strlen(info->ai_canonname) > 0)
      host = info->ai_canonname;
    freeaddrinfo(info);
  }
  return host;
}

node_name node_name::local_default(std::string_view app) {
  auto host = fully_qualified_hostname();
  if (auto parsed = parse(std::string(app) + "@" + host))
    return *parsed;
  return node_name(std::string(app), "localhost");
}

} // namespace plugnode::runtime
