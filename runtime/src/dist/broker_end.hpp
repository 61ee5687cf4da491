// broker_end: a broker's end that lets go of what its mailbox holds, as any other actor's does. CAF 0.17.6
// ends a broker through abstract_broker::cleanup (libcaf_io/src/io/abstract_broker.cpp, line 62; the same
// in 0.18), which skips scheduled_actor::cleanup: the broker's mailbox is never closed nor emptied, so a
// message still in it, or arriving after the end, stays for ever and holds its sender. The agent's own
// heartbeat tick, due after its exit, made the agent hold itself, and through its mailbox every actor that
// had written to it (the scopes, the region, the pub/sub server, discovery, BASP's proxies and so the BASP
// broker): none of a stopped node's actors was ever destroyed (LeakSanitizer's indirect leaks of a whole
// node at exit), and a detached one held that way would have kept the actor system's destructor waiting
// for its thread for ever.
#pragma once

#include <caf/fwd.hpp>
#include <caf/io/fwd.hpp>

namespace plugnode::runtime::detail {

// At `self`'s end, closes and empties its mailbox (a request still in it gets an error, as from any ended
// actor). Called once, where the broker's behaviour is made.
void end_like_an_actor(caf::io::abstract_broker* self);

// The same for a running broker made elsewhere: CAF's BASP broker, whose own heartbeat ticks
// (middleman.heartbeat-interval) arrive after its end too. Call while it runs.
void end_like_an_actor(const caf::actor& broker);

} // namespace plugnode::runtime::detail
