// A broker's end as an actor's; see broker_end.hpp. What CAF's scheduled_actor::cleanup does to the mailbox
// and abstract_broker::cleanup skips (libcaf_core/src/scheduled_actor.cpp, lines 240-248 of 0.17.6; the
// handlers of pending requests are dropped by quit() already).
#include "dist/broker_end.hpp"

#include <caf/actor.hpp>
#include <caf/detail/sync_request_bouncer.hpp>
#include <caf/io/abstract_broker.hpp>

namespace plugnode::runtime::detail {

void end_like_an_actor(caf::io::abstract_broker* self) {
  // Attached functors run in the actor's cleanup, on its own thread, after it is marked terminated.
  self->attach_functor([self](const caf::error& reason) {
    auto& mailbox = self->mailbox();
    if (mailbox.closed())
      return;
    mailbox.close();
    self->get_normal_queue().flush_cache();
    self->get_urgent_queue().flush_cache();
    caf::detail::sync_request_bouncer bounce{reason};
    while (mailbox.queue().new_round(1000, bounce).consumed_items)
      ; // each round drops up to 1,000 messages
  });
}

void end_like_an_actor(const caf::actor& broker) {
  end_like_an_actor(static_cast<caf::io::abstract_broker*>(caf::actor_cast<caf::abstract_actor*>(broker)));
}

} // namespace plugnode::runtime::detail
