// The name cache of erlang_peer_names.hpp.
#include "dist/erlang_peer_names.hpp"

namespace plugnode::erlang::detail {

bool peer_names::use(const std::string& name, use_fn use, clock::time_point now) {
  auto [it, added] = names_.try_emplace(name);
  auto& e = it->second;
  if (!added && !e.who) { // a lookup is under way
    e.waiting.push_back(std::move(use));
    return false;
  }
  if (!added && now - e.resolved < max_age_) {
    use(e.who);
    return false;
  }
  e.who = nullptr;
  e.waiting.push_back(std::move(use));
  return true;
}

void peer_names::resolved(const std::string& name, const caf::actor& who, clock::time_point now) {
  auto it = names_.find(name);
  if (it == names_.end())
    return;
  auto waiting = std::move(it->second.waiting);
  if (who)
    it->second = entry{who, now, {}};
  else
    names_.erase(it);
  // The uses may look names up themselves, so they run after the table is consistent again.
  for (auto& use : waiting)
    use(who);
}

void peer_names::forget(const caf::actor_addr& gone) {
  for (auto it = names_.begin(); it != names_.end();)
    it = it->second.who && it->second.who.address() == gone ? names_.erase(it) : std::next(it);
}

} // namespace plugnode::erlang::detail
