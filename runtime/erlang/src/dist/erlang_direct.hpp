// erlang_direct: the one-hop road of a BEAM node's messages and calls to an exported actor. The connection's
// reader thread puts a REG_SEND (send/2 or GenServer.call to a registered name) straight into the mailbox of
// the actor behind the name, and the actor's reply is encoded and written to the socket on the thread that
// delivers it (the replying actor's); the MONITOR_P and DEMONITOR around every GenServer.call are kept here
// (the BEAM monitors of names, whose DOWN the peer actor sends when the actor ends). So a call is one
// hand-over between threads, where the road through the connection's actor (erlang_peer.hpp) woke it twice
// more and took three (reader -> peer actor -> target -> peer actor). Only names the peer actor has resolved
// take it: the peer actor owns the name cache and its lookups at the agent (erlang_peer_names.hpp) and tells
// the route what it resolved and which actors ended; a frame for a name not known fresh goes the peer actor's
// way, counted, and that name's frames keep going that way until the counted ones are through, so a BEAM
// process's messages to one name arrive in the order it sent them.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include <caf/actor.hpp>
#include <caf/actor_addr.hpp>
#include <caf/atom.hpp>
#include <caf/fwd.hpp>

#include "dist/erlang_connection.hpp"
#include "dist/erlang_peer_names.hpp"

namespace plugnode::erlang::detail {

// (handed_over_atom, std::string name, dist_message): a frame for `name` the route counted and left to the
// peer actor, which calls delivered(name) once it is through (in the target's mailbox, or dropped).
using handed_over_atom = caf::atom_constant<caf::atom("erl_hand")>;
constexpr handed_over_atom handed_over_atom_v{};

// A BEAM process's monitor (MONITOR_P) of the actor registered under a name.
struct beam_monitor {
  term watched; // the name, as the BEAM node gave it
  pid watcher;
  term ref;
  caf::actor_addr actor;
};

class direct_route {
public:
  using clock = std::chrono::steady_clock;
  enum class taken {
    delivered,       // in the target's mailbox
    to_peer,         // not a message for the route: the peer actor's as before
    to_peer_counted, // to the peer actor as (handed_over_atom, msg)
  };

  // A name resolved longer than name_max_age ago goes the peer actor's way, which looks it up again.
  direct_route(caf::actor_system& system, const std::shared_ptr<erlang_connection>& connection,
               std::set<std::string> exported);
  ~direct_route();
  direct_route(const direct_route&) = delete;
  direct_route& operator=(const direct_route&) = delete;

  // On the reader's thread, for every message frame; `name` is set for to_peer_counted.
  taken take(dist_message& msg, std::string& name);

  // The peer actor's side: what its cache learnt (an invalid `who`: nothing under `name`), a counted frame
  // passed on, the monitors it adds and removes, and an actor that ended (its names are looked up again, and
  // its monitors returned for their DOWN).
  void resolved(const std::string& name, const caf::actor& who, clock::time_point when);
  void delivered(const std::string& name);
  void add_monitor(beam_monitor m);
  void remove_monitor(const term& ref);
  std::vector<beam_monitor> gone(const caf::actor_addr& actor);

  struct open_calls; // the calls in flight, shared with their replies' writer

private:
  struct entry {
    caf::actor who;
    clock::time_point resolved{};
    std::size_t with_peer = 0; // counted messages the peer actor has not passed on yet
  };
  std::set<std::string> exported_;
  std::mutex mutex_;
  std::map<std::string, entry> names_;           // under mutex_
  std::map<std::string, beam_monitor> monitors_; // under mutex_, by encoded reference
  std::unique_ptr<caf::execution_unit> unit_;    // the reader's (used on its thread only)
  std::shared_ptr<open_calls> calls_;
  caf::strong_actor_ptr replies_; // the sender of the calls, which writes their replies
};

} // namespace plugnode::erlang::detail
