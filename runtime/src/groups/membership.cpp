// A scope's membership table; see membership.hpp.
#include "groups/membership.hpp"

#include <algorithm>
#include <iterator>
#include <set>

namespace plugnode::runtime::detail {
namespace {

// a - b as multisets (both sorted), in a's order.
std::vector<caf::actor> minus(std::vector<caf::actor> a, std::vector<caf::actor> b) {
  std::sort(a.begin(), a.end());
  std::sort(b.begin(), b.end());
  std::vector<caf::actor> out;
  std::set_difference(a.begin(), a.end(), b.begin(), b.end(), std::back_inserter(out));
  return out;
}

std::vector<caf::actor> members_of(const std::map<std::string, std::vector<caf::actor>>& groups,
                                   const std::string& group) {
  auto i = groups.find(group);
  return i == groups.end() ? std::vector<caf::actor>{} : i->second;
}

} // namespace

void membership::add(const std::string& owner, const std::string& group,
                     const std::vector<caf::actor>& actors) {
  auto& members = owners_[owner][group];
  members.insert(members.end(), actors.begin(), actors.end());
}

std::vector<caf::actor> membership::remove(const std::string& owner, const std::string& group,
                                           const std::vector<caf::actor>& actors) {
  std::vector<caf::actor> removed;
  auto o = owners_.find(owner);
  if (o == owners_.end())
    return removed;
  auto g = o->second.find(group);
  if (g == o->second.end())
    return removed;
  for (auto& who : actors) {
    auto i = std::find(g->second.begin(), g->second.end(), who);
    if (i != g->second.end()) {
      g->second.erase(i);
      removed.push_back(who);
    }
  }
  if (g->second.empty())
    o->second.erase(g);
  return removed;
}

std::vector<group_members> membership::remove_everywhere(const std::string& owner,
                                                         const caf::actor_addr& who) {
  std::vector<group_members> left;
  auto o = owners_.find(owner);
  if (o == owners_.end())
    return left;
  for (auto g = o->second.begin(); g != o->second.end();) {
    auto& members = g->second;
    auto is_who = [&](const caf::actor& member) { return member.address() == who; };
    auto gone = std::stable_partition(members.begin(), members.end(), [&](auto& m) { return !is_who(m); });
    if (gone != members.end()) {
      left.push_back({g->first, std::vector<caf::actor>(gone, members.end())});
      members.erase(gone, members.end());
    }
    g = members.empty() ? o->second.erase(g) : std::next(g);
  }
  return left;
}

std::vector<membership::change> membership::replace(const std::string& owner,
                                                    const std::vector<group_members>& view) {
  groups_of_owner next;
  for (auto& entry : view)
    if (!entry.members.empty())
      next[entry.group].insert(next[entry.group].end(), entry.members.begin(), entry.members.end());
  auto& before = owners_[owner];
  std::set<std::string> touched;
  for (auto& [group, members] : before)
    touched.insert(group);
  for (auto& [group, members] : next)
    touched.insert(group);
  std::vector<change> changes;
  for (auto& group : touched) {
    auto old_members = members_of(before, group);
    auto new_members = members_of(next, group);
    change c{group, minus(new_members, old_members), minus(old_members, new_members)};
    if (!c.joined.empty() || !c.left.empty())
      changes.push_back(std::move(c));
  }
  before = std::move(next);
  return changes;
}

std::vector<group_members> membership::drop(const std::string& owner) {
  std::vector<group_members> had;
  auto o = owners_.find(owner);
  if (o == owners_.end())
    return had;
  for (auto& [group, members] : o->second)
    had.push_back({group, members});
  owners_.erase(o);
  return had;
}

std::vector<caf::actor> membership::members(const std::string& group) const {
  std::vector<caf::actor> out;
  for (auto& [owner, groups] : owners_) {
    auto g = groups.find(group);
    if (g != groups.end())
      out.insert(out.end(), g->second.begin(), g->second.end());
  }
  return out;
}

std::vector<caf::actor> membership::owned(const std::string& owner, const std::string& group) const {
  auto o = owners_.find(owner);
  return o == owners_.end() ? std::vector<caf::actor>{} : members_of(o->second, group);
}

std::vector<group_members> membership::view(const std::string& owner) const {
  std::vector<group_members> out;
  auto o = owners_.find(owner);
  if (o != owners_.end())
    for (auto& [group, members] : o->second)
      out.push_back({group, members});
  return out;
}

std::vector<std::string> membership::groups() const {
  std::set<std::string> names;
  for (auto& [owner, groups] : owners_)
    for (auto& [group, members] : groups)
      if (!members.empty())
        names.insert(group);
  return {names.begin(), names.end()};
}

} // namespace plugnode::runtime::detail
