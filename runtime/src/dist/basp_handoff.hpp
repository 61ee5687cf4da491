// basp_handoff: gives CAF's BASP broker a connection that passed the wire handshake (wire_handshake.hpp),
// so CAF only ever speaks BASP with a peer that proved the cookie. CAF 0.17.6 has no public API for this;
// both directions use messages its BASP broker already handles (libcaf_io/src/io/basp_broker.cpp):
// - dialled: (connect_atom, scribe_ptr, port), line 283, exactly what CAF's own middleman actor sends
//   after opening a connection (middleman_actor_impl.cpp, line 117); the broker answers the request with
//   (node_id, strong_actor_ptr, std::set<std::string>) once the BASP handshake is done. A connection to a
//   node BASP already knows is closed by CAF as redundant and answered with the known node (instance.cpp,
//   line 334), which is what CAF's cached connect gave before.
// - accepted: (publish_atom, scribe_ptr, port, actor, interfaces), line 266 ("set up two instances without
//   doorman"): the broker adopts the scribe, (re)registers the agent as the actor published at `port`,
//   writes the server handshake and reads headers: what a doorman's new_connection_msg (line 214) leads
//   to, minus the doorman, which would accept connections CAF then speaks BASP with unauthenticated.
#pragma once

#include <cstdint>

#include <caf/actor.hpp>
#include <caf/fwd.hpp>
#include <caf/io/fwd.hpp>
#include <caf/io/scribe.hpp>

namespace plugnode::runtime::detail {

// CAF's BASP broker (the actor behind the middleman actor).
caf::actor basp_broker(caf::actor_system& system);

// A scribe (CAF's connection servant) over an authenticated connection, reading in chunks
// (buffered_scribe.hpp).
caf::io::scribe_ptr make_scribe(caf::actor_system& system, int fd);

// Lets BASP treat an authenticated, accepted connection as its own, serving `agent` as the actor published
// at `port`. Callable from any thread.
void hand_accepted(const caf::actor& basp, caf::io::scribe_ptr scribe, std::uint16_t port,
                   const caf::actor& agent);

} // namespace plugnode::runtime::detail
