// Discovery's decisions between polls; see discovery_state.hpp.
#include "plugnode/discovery/discovery_state.hpp"

#include <algorithm>
#include <set>

namespace plugnode::discovery {

discovery_state::discovery_state(runtime::node_name self, poll_settings settings, clock now,
                                 std::uint32_t seed)
    : self_(std::move(self)), settings_(settings), now_(std::move(now)), rng_(seed) {}

std::vector<const peer*> discovery_state::take(const std::vector<peer>& answer) {
  std::vector<const peer*> candidates;
  std::set<runtime::node_name> named;
  for (const auto& p : answer)
    if (p.node != self_ && named.insert(p.node).second)
      candidates.push_back(&p);
  left_out_.clear();
  if (candidates.size() <= settings_.max_targets)
    return candidates;
  auto known_first = [this](const peer* a, const peer* b) {
    bool known_a = members_.count(a->node) > 0;
    bool known_b = members_.count(b->node) > 0;
    return known_a != known_b ? known_a : a->node < b->node;
  };
  std::sort(candidates.begin(), candidates.end(), known_first);
  for (auto i = candidates.begin() + static_cast<std::ptrdiff_t>(settings_.max_targets);
       i != candidates.end(); ++i)
    left_out_.push_back((*i)->node);
  std::sort(left_out_.begin(), left_out_.end());
  candidates.resize(settings_.max_targets);
  return candidates;
}

discovery_state::actions discovery_state::on_answer(const std::vector<peer>& answer) {
  auto now = now_();
  ++polls_;
  ready_ = true;
  consecutive_errors_ = 0;
  last_answer_at_ = now;
  actions todo;
  bool redialled = false;
  std::set<runtime::node_name> seen;
  for (const auto* chosen : take(answer)) {
    const auto& p = *chosen;
    seen.insert(p.node);
    auto [it, added] = members_.try_emplace(p.node, member{p, link_state::pending, 0, now});
    auto& m = it->second;
    if (added) {
      todo.connect.push_back(p);
      continue;
    }
    m.info = p;
    m.missing = 0;
    m.last_seen = now;
    if (m.link == link_state::down) {
      m.link = link_state::pending;
      todo.connect.push_back(p);
      redialled = true;
    }
  }
  for (auto it = members_.begin(); it != members_.end();) {
    if (seen.count(it->first) == 0 && ++it->second.missing >= settings_.missing_limit) {
      todo.disconnect.push_back(it->first);
      it = members_.erase(it);
    } else {
      ++it;
    }
  }
  redial_rounds_ = redialled ? redial_rounds_ + 1 : 0;
  return todo;
}

void discovery_state::on_error(const dns_error& error) {
  ++polls_;
  ++errors_;
  ++consecutive_errors_;
  last_error_ = error;
}

void discovery_state::on_link(const runtime::node_name& node, bool up) {
  auto it = members_.find(node);
  if (it != members_.end())
    it->second.link = up ? link_state::up : link_state::down;
}

std::chrono::milliseconds discovery_state::backoff(int round) const {
  auto factor = 1LL << std::min(round, 20);
  return std::min(std::chrono::milliseconds(settings_.startup_interval.count() * factor), settings_.interval);
}

std::chrono::milliseconds discovery_state::next_delay() {
  using std::chrono::milliseconds;
  if (!ready_)
    return settings_.startup_interval;
  // Back off from the fast pace towards the interval: a DNS outage ends, and a peer that was not listening
  // yet (pods start together) is connected, about one fast poll later rather than one interval.
  if (consecutive_errors_ > 0)
    return backoff(consecutive_errors_ - 1);
  if (std::any_of(members_.begin(), members_.end(),
                  [](const auto& e) { return e.second.link == link_state::down; }))
    return backoff(redial_rounds_);
  std::uniform_real_distribution<double> spread(1.0 - settings_.jitter, 1.0 + settings_.jitter);
  return milliseconds(static_cast<long long>(static_cast<double>(settings_.interval.count()) * spread(rng_)));
}

std::size_t discovery_state::connected_count() const {
  return static_cast<std::size_t>(std::count_if(members_.begin(), members_.end(), [](const auto& entry) {
    return entry.second.link == link_state::up;
  }));
}

std::string_view to_string(link_state link) {
  switch (link) {
  case link_state::pending: return "pending";
  case link_state::up: return "up";
  case link_state::down: return "down";
  }
  return "down";
}

} // namespace plugnode::discovery
