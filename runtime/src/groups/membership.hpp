// membership: one scope's table of who is in which group, by owner: this node ("") and each peer scope. Only
// the owner's messages change its part (pg.erl's rule), so a peer's sync replaces exactly that peer's part,
// and the changes come back for the scope's watchers. A plain value, no actors: the scope actor owns one.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>

#include "plugnode/runtime/groups.hpp"

namespace plugnode::runtime::detail {

inline const std::string local_owner;

class membership {
public:
  // A group's members joined and left in one step (for the watchers).
  struct change {
    std::string group;
    std::vector<caf::actor> joined;
    std::vector<caf::actor> left;
  };

  void add(const std::string& owner, const std::string& group, const std::vector<caf::actor>& actors);
  // Undoes one join of each of `actors` that is there; returns those.
  std::vector<caf::actor> remove(const std::string& owner, const std::string& group,
                                 const std::vector<caf::actor>& actors);
  // Every membership of `who` under `owner` ends (it terminated); returns the groups it left, one entry per
  // join.
  std::vector<group_members> remove_everywhere(const std::string& owner, const caf::actor_addr& who);
  // `owner`'s part becomes `view` (a sync); returns what changed.
  std::vector<change> replace(const std::string& owner, const std::vector<group_members>& view);
  // `owner`'s part goes (its scope or node went down); returns what it had.
  std::vector<group_members> drop(const std::string& owner);

  std::vector<caf::actor> members(const std::string& group) const; // this node's first, then each peer's
  std::vector<caf::actor> owned(const std::string& owner, const std::string& group) const;
  std::vector<group_members> view(const std::string& owner) const; // what a sync carries
  std::vector<std::string> groups() const;                         // non-empty, sorted

private:
  using groups_of_owner = std::map<std::string, std::vector<caf::actor>>;
  std::map<std::string, groups_of_owner> owners_;
};

} // namespace plugnode::runtime::detail
