// The node agent's peer table; see peer_table.hpp.
#include "agent/peer_table.hpp"

#include <algorithm>

namespace plugnode::runtime::detail {

using std::chrono::duration_cast;
using std::chrono::milliseconds;

namespace {

// Removes `key` from `map` and returns what it held.
template <class Map, class Key> std::optional<typename Map::mapped_type> take(Map& map, const Key& key) {
  auto i = map.find(key);
  if (i == map.end())
    return std::nullopt;
  auto value = std::move(i->second);
  map.erase(i);
  return value;
}

} // namespace

const connected_peer* peer_table::find(const std::string& name) const {
  auto i = peers_.find(name);
  return i == peers_.end() ? nullptr : &i->second;
}

void peer_table::add(const std::string& name, connected_peer p) {
  awaiting_.erase(p.nid);
  trusted_[p.nid] = name;
  peers_[name] = std::move(p);
}

std::optional<connected_peer> peer_table::remove(const std::string& name) {
  auto gone = take(peers_, name);
  if (gone)
    trusted_.erase(gone->nid);
  return gone;
}

const std::string* peer_table::name_of(const caf::node_id& nid) const {
  auto i = trusted_.find(nid);
  return i == trusted_.end() ? nullptr : &i->second;
}

const std::string* peer_table::name_with_agent(const caf::actor_addr& agent) const {
  for (auto& [name, p] : peers_)
    if (p.agent.address() == agent)
      return &name;
  return nullptr;
}

bool peer_table::heard_from(const caf::node_id& nid, clock::time_point now) {
  auto name = name_of(nid);
  if (!name)
    return false;
  peers_[*name].last_seen = now;
  return true;
}

void peer_table::record_round_trip(const std::string& name, clock::time_point sent, clock::time_point back) {
  auto i = peers_.find(name);
  if (i == peers_.end())
    return;
  i->second.rtt_us = duration_cast<std::chrono::microseconds>(back - sent).count();
  i->second.last_seen = back;
}

std::vector<std::string> peer_table::silent(clock::time_point now, milliseconds bound) const {
  std::vector<std::string> names;
  for (auto& [name, p] : peers_)
    if (now - p.last_seen > bound)
      names.push_back(name);
  return names;
}

std::vector<std::string> peer_table::visible_names() const {
  std::vector<std::string> names;
  for (auto& [name, p] : peers_)
    if (!p.hidden)
      names.push_back(name);
  return names;
}

std::vector<std::string> peer_table::all_visible_names() const {
  auto names = visible_names();
  names.insert(names.end(), beam_.begin(), beam_.end());
  std::sort(names.begin(), names.end());
  return names;
}

bool peer_table::add_beam(const std::string& name) {
  return beam_.insert(name).second;
}

bool peer_table::remove_beam(const std::string& name) {
  return beam_.erase(name) > 0;
}

std::vector<std::string> peer_table::hidden_names() const {
  std::vector<std::string> names;
  for (auto& [name, p] : peers_)
    if (p.hidden)
      names.push_back(name);
  return names;
}

std::vector<peer_info> peer_table::report(clock::time_point now) const {
  std::vector<peer_info> out;
  for (auto& [name, p] : peers_)
    out.push_back(peer_info{name, p.hidden, p.address, p.rtt_us,
                            duration_cast<milliseconds>(now - p.last_seen).count(),
                            duration_cast<milliseconds>(now - p.up_since).count(), p.incarnation});
  return out;
}

awaiting_proof* peer_table::awaiting(const caf::node_id& nid) {
  auto i = awaiting_.find(nid);
  return i == awaiting_.end() ? nullptr : &i->second;
}

std::optional<awaiting_proof> peer_table::await_proof(const caf::node_id& nid, awaiting_proof p) {
  auto replaced = take_awaiting(nid);
  awaiting_.emplace(nid, std::move(p));
  return replaced;
}

std::optional<awaiting_proof> peer_table::take_awaiting(const caf::node_id& nid) {
  return take(awaiting_, nid);
}

std::optional<awaiting_proof> peer_table::take_awaiting_with_agent(const caf::actor_addr& agent) {
  for (auto i = awaiting_.begin(); i != awaiting_.end(); ++i)
    if (i->second.agent.address() == agent) {
      auto p = std::move(i->second);
      awaiting_.erase(i);
      return p;
    }
  return std::nullopt;
}

std::vector<std::pair<caf::node_id, awaiting_proof>> peer_table::take_expired(clock::time_point now) {
  std::vector<std::pair<caf::node_id, awaiting_proof>> expired;
  for (auto i = awaiting_.begin(); i != awaiting_.end();)
    if (now > i->second.deadline) {
      expired.emplace_back(i->first, std::move(i->second));
      i = awaiting_.erase(i);
    } else {
      ++i;
    }
  return expired;
}

bool peer_table::refers_to(const caf::actor& agent) const {
  for (auto& [name, p] : peers_)
    if (p.agent == agent)
      return true;
  for (auto& [nid, p] : awaiting_)
    if (p.agent == agent)
      return true;
  return false;
}

} // namespace plugnode::runtime::detail
