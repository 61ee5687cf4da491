// cookie: where the cluster's shared secret comes from. Pure functions over the values the app read from its
// environment and flags, so the rules (which source wins, what is refused, what is warned about) are tested
// without touching the process environment.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace plugnode::runtime {

// The cookie the deploy examples ship with: a node using it works but logs a warning, since everyone who
// read the examples knows it.
inline constexpr const char* example_cookie = "plugnode-example-cookie";

// The raw sources, as the app found them (nullopt = unset).
struct cookie_sources {
  std::optional<std::string> value;  // PLUGNODE_COOKIE or --cookie
  std::optional<std::string> file;   // PLUGNODE_COOKIE_FILE or --cookie-file (a mounted Secret)
  std::optional<std::string> erlang; // ERLANG_COOKIE, the starter's name, used when the others are unset
  bool cluster_configured = false;   // discovery or static peers configured: a cookie is required
  // $CREDENTIALS_DIRECTORY/cookie when systemd set that directory (the unit's LoadCredential=cookie:...):
  // used when PLUGNODE_COOKIE and the file are unset; a credential the directory does not hold is no source.
  std::optional<std::string> credential;
};

struct cookie_choice {
  std::string cookie;                // empty: none (single-node mode)
  std::string source;                // "PLUGNODE_COOKIE", "PLUGNODE_COOKIE_FILE <path>", ...
  std::vector<std::string> warnings; // to log at start-up (example cookie, ...)
};

// Picks the cookie: PLUGNODE_COOKIE, else the file, else the systemd credential, else ERLANG_COOKIE (setting
// both PLUGNODE_COOKIE and the file is refused as ambiguous; the operator's explicit settings win over what
// the service manager hands every start). Trailing whitespace and newlines of a file are dropped, as a Secret
// mounted from `kubectl create secret --from-file` usually ends in a newline. Returns the choice, or sets
// `error` to a one-line reason naming the variable: an empty cookie, an unreadable file, or no cookie at all
// while a cluster is configured.
std::optional<cookie_choice> choose_cookie(const cookie_sources& sources, std::string* error);

} // namespace plugnode::runtime
