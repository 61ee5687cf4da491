// A service's own settings, parsed and read back typed; see service_setting.hpp.
#include "plugnode/app/service_setting.hpp"

#include <stdexcept>

#include "plugnode/app/config_values.hpp"

namespace plugnode::app {

template <class T> const T& service_settings::get(const std::string& env, setting_kind kind) const {
  auto it = values_.find(env);
  if (it == values_.end())
    throw std::logic_error("service setting " + env + " is not declared (svc.settings) or has no value");
  if (it->second.kind != kind)
    throw std::logic_error("service setting " + env + " is read as another kind than it was declared");
  return std::get<T>(it->second.parsed);
}

const std::string& service_settings::text(const std::string& env) const {
  return get<std::string>(env, setting_kind::text);
}
std::size_t service_settings::count(const std::string& env) const {
  return static_cast<std::size_t>(get<std::uint64_t>(env, setting_kind::count));
}
std::chrono::milliseconds service_settings::duration(const std::string& env) const {
  return get<std::chrono::milliseconds>(env, setting_kind::duration);
}
std::uint64_t service_settings::bytes(const std::string& env) const {
  return get<std::uint64_t>(env, setting_kind::bytes);
}
std::uint16_t service_settings::port(const std::string& env) const {
  return static_cast<std::uint16_t>(get<std::uint64_t>(env, setting_kind::port));
}
bool service_settings::toggle(const std::string& env) const {
  return get<bool>(env, setting_kind::toggle);
}

void service_settings::set(const service_setting& s, const std::string& text, const std::string& source) {
  value v{s.kind, {}};
  switch (s.kind) {
  case setting_kind::text: v.parsed = text; break;
  case setting_kind::count: v.parsed = std::uint64_t{parse_count(text, source, 0, 999999999)}; break;
  case setting_kind::duration: v.parsed = parse_duration(text, source); break;
  case setting_kind::bytes: v.parsed = parse_bytes(text, source); break;
  case setting_kind::port: v.parsed = std::uint64_t{parse_port(text, source)}; break;
  case setting_kind::toggle: v.parsed = parse_switch(text, source); break;
  }
  values_[s.env] = std::move(v);
  shown_.emplace_back(s.env, text);
}

void service_settings::unset(const service_setting& s) {
  shown_.emplace_back(s.env, "unset");
}

} // namespace plugnode::app
