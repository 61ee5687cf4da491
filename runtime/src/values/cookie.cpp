// The cookie rules of cookie.hpp.
#include "plugnode/runtime/cookie.hpp"

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
    std::ifstream in(*sources.file, std::ios::binary);
    if (!in)
      return fail(error, "PLUGNODE_COOKIE_FILE: cannot read " + *sources.file);
    std::ostringstream text;
    text << in.rdbuf();
    choice.cookie = trim_right(text.str());
    choice.source = "PLUGNODE_COOKIE_FILE " + *sources.file;
  } else if (sources.erlang) {
    choice.cookie = trim_right(*sources.erlang);
    choice.source = "ERLANG_COOKIE";
  } else if (sources.cluster_configured) {
    return fail(error, "no cookie: set PLUGNODE_COOKIE or PLUGNODE_COOKIE_FILE (required once a cluster is "
                       "configured)");
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
