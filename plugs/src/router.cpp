#include "plugnode/plugs/router.hpp"

#include <algorithm>
#include <stdexcept>

#include "plugnode/plugs/local_reply.hpp"
#include "plugnode/plugs/uri.hpp"

namespace plugnode::plugs {
namespace {

const std::string route_key = "plugnode.route";

std::vector<std::string> pattern_segments(const std::string& pattern) {
  auto segments = split_path(pattern);
  if (!segments)
    throw std::invalid_argument("invalid route pattern '" + pattern + "'");
  for (std::size_t i = 0; i < segments->size(); ++i) {
    const auto& s = (*segments)[i];
    if ((s[0] == ':' || s[0] == '*') && s.size() == 1)
      throw std::invalid_argument("unnamed parameter in route pattern '" + pattern + "'");
    if (s[0] == '*' && i + 1 != segments->size())
      throw std::invalid_argument("*glob must be the last segment in route pattern '" + pattern + "'");
  }
  return std::move(*segments);
}

// Matches path segments against a pattern, collecting parameters; a pattern of a forward only needs to be a
// prefix.
bool match(const std::vector<std::string>& pattern, const std::vector<std::string>& whole, std::size_t from,
           bool prefix, std::map<std::string, std::string>* params) {
  auto path = [&](std::size_t i) -> const std::string& { return whole[from + i]; };
  auto length = whole.size() - std::min(from, whole.size());
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    const auto& p = pattern[i];
    if (p[0] == '*') {
      if (params) {
        std::string rest;
        for (std::size_t j = i; j < length; ++j)
          rest += (j == i ? "" : "/") + path(j);
        (*params)[p.substr(1)] = rest;
      }
      return true;
    }
    if (i >= length)
      return false;
    if (p[0] == ':') {
      if (params)
        (*params)[p.substr(1)] = path(i);
    } else if (p != path(i)) {
      return false;
    }
  }
  return prefix || pattern.size() == length;
}

std::string script_prefix(const conn& c) {
  std::string prefix;
  for (const auto& s : c.script_name)
    prefix += "/" + s;
  return prefix;
}

} // namespace

router& router::route(std::string method, const std::string& pattern, plug p) {
  entries_.push_back({std::move(method), pattern, pattern_segments(pattern), std::move(p)});
  return *this;
}

router& router::forward(const std::string& prefix, plug p) {
  auto segments = pattern_segments(prefix);
  for (const auto& s : segments)
    if (s[0] == ':' || s[0] == '*')
      throw std::invalid_argument("forward prefix '" + prefix + "' must be literal");
  entries_.push_back({"", prefix, std::move(segments), std::move(p)});
  return *this;
}

void router::call(conn& c) const {
  std::string allowed;
  for (const auto& e : entries_) {
    if (e.method.empty()) {
      if (!match(e.segments, c.path_info, 0, true, nullptr))
        continue;
      c.private_[route_key] = script_prefix(c) + e.pattern + "/*";
      auto n = static_cast<std::ptrdiff_t>(e.segments.size());
      c.script_name.insert(c.script_name.end(), c.path_info.begin(), c.path_info.begin() + n);
      c.path_info.erase(c.path_info.begin(), c.path_info.begin() + n);
      e.target.call(c);
      return;
    }
    if (!match(e.segments, c.path_info, 0, false, nullptr))
      continue;
    if (e.method != c.method) {
      if (allowed.find(e.method) == std::string::npos)
        allowed += (allowed.empty() ? "" : ", ") + e.method;
      continue;
    }
    match(e.segments, c.path_info, 0, false, &c.path_params);
    c.private_[route_key] = script_prefix(c) + e.pattern;
    e.target.call(c);
    return;
  }
  if (allowed.empty()) {
    local_reply(c, 404);
    return;
  }
  if (allowed.find("GET") != std::string::npos && allowed.find("HEAD") == std::string::npos)
    allowed += ", HEAD";
  c.put_resp_header("allow", allowed);
  local_reply(c, 405);
}

// The same walk as call()'s, on the path alone; a HEAD is walked as the GET the head plug may have made it.
bool router::blocks(const request_path& r) const {
  auto walk = [&](const std::string& method) {
    for (const auto& e : entries_) {
      if (e.method.empty() && match(e.segments, r.segments, r.from, true, nullptr))
        return e.target.blocks({method, r.segments, r.from + e.segments.size()});
      if (e.method == method && match(e.segments, r.segments, r.from, false, nullptr))
        return e.target.blocks({method, r.segments, r.from});
    }
    return false; // 404 or 405, answered here
  };
  static const std::string get = "GET";
  return walk(r.method) || (r.method == "HEAD" && walk(get));
}

bool router::owns(const conn& c) const {
  return owns({c.method, c.path_info});
}

bool router::owns(const request_path& r) const {
  for (const auto& e : entries_)
    if (match(e.segments, r.segments, r.from, e.method.empty(), nullptr))
      return true;
  return false;
}

const std::string& route_of(const conn& c) {
  static const std::string unmatched = "unmatched";
  auto it = c.private_.find(route_key);
  return it == c.private_.end() ? unmatched : *std::any_cast<std::string>(&it->second);
}

} // namespace plugnode::plugs
