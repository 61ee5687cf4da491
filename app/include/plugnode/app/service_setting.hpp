// service_setting: a service's own settings, declared beside its routes: each is an environment variable
// and a flag of every command (the flag wins), listed by `help` with its default, shown by `describe`,
// checked at start-up with the node's own parsers (a bad value stops it with one line naming the variable
// or flag, exit 2), and read in the service's code typed, through node_services::settings.
//
//   svc.settings.push_back({"COUNTER_SHARDS", "--shards", "counters per node", "16", setting_kind::count});
//   ... node.settings->count("COUNTER_SHARDS")   // 16, or what the operator set
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace plugnode::app {

// What a value is, and so how it is parsed (config_values.hpp) and read back.
enum class setting_kind {
  text,     // any text
  count,    // a whole number, 0 to 999999999
  duration, // 500ms, 5s, 2m, 1h
  bytes,    // 64KB, 1MB
  port,     // 1-65535
  toggle,   // true|false (on|off, yes|no, 1|0)
};

struct service_setting {
  std::string env;           // "COUNTER_SHARDS"
  std::string flag;          // "--shards"
  std::string help;          // one line; `help` adds the default and the variable
  std::string default_value; // as an operator would write it ("16", "5s"); empty: unset unless given
  setting_kind kind = setting_kind::text;
};

// The values of a service's settings after start-up's checks. Reading a setting the service did not declare,
// or as another kind than declared, throws std::logic_error naming it: a mistake in the service's code.
class service_settings {
public:
  bool has(const std::string& env) const { return values_.count(env) != 0; } // set, or has a default
  const std::string& text(const std::string& env) const;
  std::size_t count(const std::string& env) const;
  std::chrono::milliseconds duration(const std::string& env) const;
  std::uint64_t bytes(const std::string& env) const;
  std::uint16_t port(const std::string& env) const;
  bool toggle(const std::string& env) const;

  // The declared settings with their values as `describe` shows them ("16", "unset").
  const std::vector<std::pair<std::string, std::string>>& shown() const { return shown_; }

  // Parses `text` for `s`, naming `source` in the config_error of a bad value.
  void set(const service_setting& s, const std::string& text, const std::string& source);
  void unset(const service_setting& s);

private:
  struct value {
    setting_kind kind;
    std::variant<std::string, std::uint64_t, std::chrono::milliseconds, bool> parsed;
  };
  template <class T> const T& get(const std::string& env, setting_kind kind) const;
  std::map<std::string, value> values_;
  std::vector<std::pair<std::string, std::string>> shown_;
};

} // namespace plugnode::app
