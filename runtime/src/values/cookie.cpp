// The cookie rules of cookie.hpp.
#include "plugnode/runtime/cookie.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>

namespace plugnode::runtime {
namespace {

std::string trim_right(std::string text) {
  while (!text.empty() &&
         (text.back() == '\n' || text.back() == '\r' || text.back() == ' ' || text.back() == '\t'))
    text.pop_back();
  return text;
}

// The whole file, trailing whitespace dropped; nullopt when it cannot be read.
std::optional<std::string> read_secret(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return trim_right(text.str());
}

std::optional<cookie_choice> fail(std::string* error, std::string reason) {
  if (error)
    *error = std::move(reason);
  return std::nullopt;
}

} // namespace

std::optional<cookie_choice> choose_cookie(const cookie_sources& sources, std::string* error) {
  if (sources.value && sources.file)
    return fail(error, "PLUGNODE_COOKIE and PLUGNODE_COOKIE_FILE are both set: set only one");
  cookie_choice choice;
  if (sources.value) {
    choice.cookie = trim_right(*sources.value);
    choice.source = "PLUGNODE_COOKIE";
  } else if (sources.file) {
    auto secret = read_secret(*sources.file);
    if (!secret)
      return fail(error, "PLUGNODE_COOKIE_FILE: cannot read " + *sources.file);
    choice.cookie = *secret;
    choice.source = "PLUGNODE_COOKIE_FILE " + *sources.file;
  } else if (std::error_code absent;
             sources.credential && std::filesystem::exists(*sources.credential, absent)) {
    auto secret = read_secret(*sources.credential);
    if (!secret)
      return fail(error, "systemd credential cookie: cannot read " + *sources.credential);
    choice.cookie = *secret;
    choice.source = "systemd credential " + *sources.credential;
  } else if (sources.erlang) {
    choice.cookie = trim_right(*sources.erlang);
    choice.source = "ERLANG_COOKIE";
  } else if (sources.cluster_configured) {
    return fail(error,
                "no cookie: set PLUGNODE_COOKIE or PLUGNODE_COOKIE_FILE, or give the systemd credential "
                "cookie (required once a cluster is configured)");
  } else {
    return choice;
  }
  if (choice.cookie.empty())
    return fail(error, choice.source + " is empty");
  if (choice.cookie == example_cookie)
    choice.warnings.push_back("the cookie from " + choice.source +
                              " is the example cookie everyone knows; set a secret of your own");
  return choice;
}

} // namespace plugnode::runtime
