// The HTTP server's request bodies against the node-wide body budget (body_budget.hpp): asking for room,
// waiting for it unread, and giving it back when the request ends.
#include "http_server.hpp"

#include <sys/socket.h>

#include <algorithm>

#include "plugnode/plugs/http_fields.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"

namespace plugnode::plugs {

// The body's next part must fit in what the connection holds of the budget; if not, it asks for more: the
// whole Content-Length at once, a chunked body at least doubling what it holds (so growing costs few
// copies, and what is held is what the body's string reserves).
http_server::body_room http_server::make_body_room(http_connection& c) {
  auto needed = c.spool.memory_needed(c.parser);
  auto held = c.body_held.load(std::memory_order_relaxed);
  if (needed <= std::max(free_body_bytes, held))
    return body_room::enough;
  auto target = std::max<std::uint64_t>(needed, std::min<std::uint64_t>(limits_.max_body, 2 * held));
  auto bytes = static_cast<std::size_t>(target - held);
  if (!body_budget_.take({c.index, c.generation(), bytes, c.remote_ip}, held > 0))
    return body_room::none;
  c.body_held.store(held + bytes, std::memory_order_relaxed);
  c.parser.allow_body(held + bytes);
  return body_room::more;
}

// The owner of a waiting connection: takes the bytes its wake handed over, if they came.
bool http_server::take_granted(http_connection& c) {
  auto bytes = c.granted.exchange(0, std::memory_order_acq_rel);
  if (bytes == 0)
    return false;
  auto now = http_connection::now_ticks();
  // Time spent waiting for the budget is not the client's: its average rate does not count it.
  c.body_started.fetch_add(now - c.since.load(std::memory_order_relaxed), std::memory_order_relaxed);
  c.since.store(now, std::memory_order_relaxed);
  c.parser.allow_body(c.body_held.fetch_add(bytes, std::memory_order_relaxed) + bytes);
  set_phase(c, conn_phase::reading_body);
  return true;
}

// Under the budget's lock, on the thread that gave bytes back: the waiting connection is owned by nobody
// (or by a thread about to let it go), and cannot close before forget() returns, so its descriptor is
// still its own. Armed for writing as well, the event comes at once even when the client sent everything
// already and nothing more will arrive.
void http_server::wake_for_body(const body_budget::waiter& w) {
  auto& c = *slots_[w.index];
  c.granted.store(w.bytes, std::memory_order_release);
  arm_at_once(c.loop, c.fd, event_data(w.index, c));
}

// The request's body is gone (answered, refused, timed out, closed): its bytes go back to the budget.
void http_server::drop_body(http_connection& c) {
  c.parser.reset();
  c.spool.end(spool_disk_);
  if (c.phase.load(std::memory_order_relaxed) == conn_phase::waiting_body)
    body_budget_.forget(c.index, c.generation());
  auto bytes =
      c.body_held.exchange(0, std::memory_order_relaxed) + c.granted.exchange(0, std::memory_order_acq_rel);
  c.body_started.store(0, std::memory_order_relaxed);
  c.body_received.store(0, std::memory_order_relaxed);
  body_budget_.give(c.remote_ip, bytes);
}

} // namespace plugnode::plugs
