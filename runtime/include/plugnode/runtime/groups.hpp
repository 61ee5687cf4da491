// groups: process groups with Erlang's `:pg` semantics. A scope is one actor per node, registered with the
// node agent under the scope's name (the node starts the scope "pg"; start_scope adds others). Any local
// actor joins any group (a string) of its node's scope; members() lists the members on every node.
//
// The protocol (as pg.erl's, so a later bridge to a BEAM scope can speak it; no global lock anywhere):
// - Each node owns its own members: only the scope on the member's node adds or removes it, and it tells
//   every peer scope of the change ((pg_pjoin, scope, group, actors), (pg_pleave, scope, actors, groups)).
// - Discovery: a scope asks the agent for the connected nodes at start and follows its nodeup events; for
// each
//   peer it looks up the peer's scope by name (whereis on that node) and sends (pg_disc, scope, node). A
//   scope that gets a discover answers with (pg_sync, scope, node, all its local memberships) and, if it did
//   not know the sender yet, monitors it and sends its own discover back: so both sides end with the other's
//   full view, whichever started first.
// - A member's memberships end when it terminates (the scope monitors it); a peer's end when its scope goes
//   down or the agent reports nodedown (kill -9: at once; a frozen peer: within the failure bound).
// - Eventually consistent: a join is visible on its own node when join() returns, on a peer one message
//   later (one link latency; the cluster tests measure it). Meanwhile, a peer's members() lacks the new
//   member, and after an exit or nodedown may still list the gone one for as long. members() of one group
//   keeps the order: this node's members first (in join order), then each peer's.
//
// Requests to a scope (any local actor; a finite timeout on the caller's side):
//   (pg_join_atom, group, caf::actor who)        bool   false when `who` is not a local actor
//   (pg_leave_atom, group, caf::actor who)       bool   true when it was a member (one join undone)
//   (pg_members_atom, group)                     std::vector<caf::actor>   every node's members
//   (pg_where_atom, group)                       std::vector<node_members>  the same by node name (for an
//                                                operator: a CAF actor's address names no node)
//   (pg_local_atom, group)                       std::vector<caf::actor>   this node's
//   (pg_groups_atom)                             std::vector<std::string>  non-empty groups, sorted
//   (pg_monitor_atom, group, caf::actor watcher) std::vector<caf::actor>   the members now; then `watcher`
//        receives (pg_joined_atom, scope, group, actors) and (pg_left_atom, scope, group, actors) for that
//        group (every group when `group` is empty) until it ends or sends (pg_demon_atom, group, watcher)
//
//   groups pg(node, node.group_scope());
//   pg.join("workers", worker);
//   for (auto& w : pg.members("workers")) ...
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/atom.hpp>
#include <caf/expected.hpp>
#include <caf/meta/type_name.hpp>

namespace plugnode::runtime {

class node;

using pg_join_atom = caf::atom_constant<caf::atom("pg_join")>;
using pg_leave_atom = caf::atom_constant<caf::atom("pg_leave")>;
using pg_members_atom = caf::atom_constant<caf::atom("pg_members")>;
using pg_local_atom = caf::atom_constant<caf::atom("pg_local")>;
using pg_groups_atom = caf::atom_constant<caf::atom("pg_groups")>;
using pg_where_atom = caf::atom_constant<caf::atom("pg_where")>;
using pg_monitor_atom = caf::atom_constant<caf::atom("pg_monitor")>;
using pg_demon_atom = caf::atom_constant<caf::atom("pg_demon")>;
using pg_joined_atom = caf::atom_constant<caf::atom("pg_joined")>;
using pg_left_atom = caf::atom_constant<caf::atom("pg_left")>;
// between scopes
using pg_disc_atom = caf::atom_constant<caf::atom("pg_disc")>;
using pg_sync_atom = caf::atom_constant<caf::atom("pg_sync")>;
using pg_pjoin_atom = caf::atom_constant<caf::atom("pg_pjoin")>;
using pg_pleave_atom = caf::atom_constant<caf::atom("pg_pleave")>;

constexpr pg_join_atom pg_join_atom_v{};
constexpr pg_leave_atom pg_leave_atom_v{};
constexpr pg_members_atom pg_members_atom_v{};
constexpr pg_local_atom pg_local_atom_v{};
constexpr pg_groups_atom pg_groups_atom_v{};
constexpr pg_where_atom pg_where_atom_v{};
constexpr pg_monitor_atom pg_monitor_atom_v{};
constexpr pg_demon_atom pg_demon_atom_v{};
constexpr pg_joined_atom pg_joined_atom_v{};
constexpr pg_left_atom pg_left_atom_v{};
constexpr pg_disc_atom pg_disc_atom_v{};
constexpr pg_sync_atom pg_sync_atom_v{};
constexpr pg_pjoin_atom pg_pjoin_atom_v{};
constexpr pg_pleave_atom pg_pleave_atom_v{};

// One group's members on one node: what a sync carries.
struct group_members {
  std::string group;
  std::vector<caf::actor> members;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, group_members& x) {
  return f(caf::meta::type_name("group_members"), x.group, x.members);
}

// One node's members of one group: what pg_where answers, a node at a time.
struct node_members {
  std::string node; // app@host
  std::vector<caf::actor> members;
};

template <class Inspector> typename Inspector::result_type inspect(Inspector& f, node_members& x) {
  return f(caf::meta::type_name("node_members"), x.node, x.members);
}

// The scope every node starts (Erlang's default scope has the same name).
inline const std::string default_scope = "pg";

// Starts another scope on a started node, registered with its agent as `scope`; an error when the name is
// taken. The scope ends with the node.
caf::expected<caf::actor> start_scope(node& n, const std::string& scope);

// Blocking calls to one scope, for plugs, shell commands and tests (an actor sends the requests above).
class groups {
public:
  groups(node& n, caf::actor scope, std::chrono::milliseconds timeout = std::chrono::milliseconds(2000));
  bool join(const std::string& group, const caf::actor& who);
  bool leave(const std::string& group, const caf::actor& who);
  std::vector<caf::actor> members(const std::string& group);
  std::vector<caf::actor> local_members(const std::string& group);
  std::vector<node_members> members_by_node(const std::string& group);
  std::vector<std::string> which_groups();
  // The members now; `watcher` gets the events described above. An empty group watches the whole scope.
  std::vector<caf::actor> monitor(const std::string& group, const caf::actor& watcher);

private:
  node& node_;
  caf::actor scope_;
  std::chrono::milliseconds timeout_;
};

} // namespace plugnode::runtime
