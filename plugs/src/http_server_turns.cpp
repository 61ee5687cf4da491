// A connection's turn in the HTTP server (http_server.hpp): what its owner does with it between two
// waits: reads what came and feeds the parser, takes a whole request off as a job, writes the answer, and
// leaves the socket to its next edge (or arms it when it must be looked at at once).
#include "http_server.hpp"

#include <sys/socket.h>

#include <algorithm>
#include <cerrno>

#include "http_server_epoll.hpp"
#include "plugnode/plugs/http_fields.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"

namespace plugnode::plugs {
namespace {

using namespace detail;

using clock = http_connection::clock;

// Read at most this much ahead of the parser in one turn: a client pipelining megabytes is read as the
// parser consumes, never buffered whole.
constexpr std::size_t read_ahead = 64 * 1024;
constexpr const char* continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

} // namespace

http_connection* http_server::slot(std::size_t index) const {
  return index < high_water_.load(std::memory_order_acquire) ? slots_[index].get() : nullptr;
}

std::uint64_t http_server::event_data(std::size_t index, const http_connection& c) const {
  return (static_cast<std::uint64_t>(c.generation()) << 32) | index;
}

void http_server::on_event(std::uint64_t data, std::uint32_t events) {
  auto* c = slot(data & 0xffffffffu);
  if (c && (events & (EPOLLRDHUP | EPOLLHUP)) != 0 &&
      c->generation() == static_cast<std::uint32_t>(data >> 32))
    c->hung_up.store(true, std::memory_order_release);
  if (c && c->claim_for_event(static_cast<std::uint32_t>(data >> 32))) {
    c->unread = true;
    if (auto j = own(*c))
      dispatch(std::move(*j));
  }
}

// The owner's loop: do what can be done without blocking, wait for the socket again, let go; an event that
// came while it worked sends it round once more. A whole request is taken off as a job, which the caller
// runs once it has let go.
std::optional<http_server::job> http_server::own(http_connection& c, std::optional<next> first) {
  std::optional<job> found;
  while (true) {
    auto wanted = first ? *first : advance(c);
    first.reset();
    if (wanted == next::run) {
      found = take_job(c);
      wanted = next::wait; // nothing to arm: the job's answer re-arms it
    }
    if (wanted == next::close || (wanted != next::wait && !rearm(c, wanted))) {
      close(c);
      return found;
    }
    if (c.release())
      return found;
    c.unread = true; // the event that came meanwhile
  }
}

http_server::next http_server::advance(http_connection& c) {
  // The sweeper marked it and let go; nobody could make progress on it since, but the clock is read again.
  auto due = c.due.exchange(http_connection::due_reason::none, std::memory_order_acq_rel);
  bool evicted = due == http_connection::due_reason::evicted &&
                 c.phase.load(std::memory_order_relaxed) == conn_phase::reading_body;
  if (evicted || (due == http_connection::due_reason::clock && expired(c, http_connection::now_ticks())))
    return expire(c, evicted);
  switch (c.phase.load(std::memory_order_relaxed)) {
  case conn_phase::working: return next::wait; // its request runs; only its deadline (above) answers for it
  case conn_phase::writing: {
    auto wanted = flush(c);
    // Requests pipelined behind the one just answered are already in the buffer, not in the socket.
    return wanted == next::read && c.phase == conn_phase::idle ? take_input(c) : wanted;
  }
  case conn_phase::streaming: return stream_turn(c);
  case conn_phase::lingering: {
    char sink[4096];
    while (true) {
      auto n = ::recv(c.fd, sink, sizeof sink, 0);
      if (n > 0)
        continue;
      if (n < 0 && errno == EINTR)
        continue;
      c.unread = false;
      return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) ? next::read : next::close;
    }
  }
  default: return take_input(c);
  }
}

http_server::next http_server::take_input(http_connection& c) {
  thread_local char buffer[16384];
  if (c.phase.load(std::memory_order_relaxed) == conn_phase::waiting_body && !take_granted(c))
    return next::wait; // woken without a grant (an event raced the wait): the budget's wake comes later
  // Until a body is under way, one byte more than the largest head (so a longer one is seen and refused):
  // what is read past the head is held unparsed if the body must wait for the budget, 16 KB per waiting
  // connection rather than read_ahead. Never past read_ahead, so the buffer's capacity stays at it.
  // A short read took all there was, as EAGAIN says: with the response to the last request written, the
  // next one has not come yet (it comes with an edge), so no read is tried for it.
  auto limit = c.parser.in_body() ? read_ahead : limits_.max_head_bytes + 1;
  while (c.unread && c.in.size() < limit && !c.peer_closed) {
    auto room = std::min(sizeof buffer, limit - c.in.size());
    auto n = ::recv(c.fd, buffer, room, 0);
    if (n > 0) {
      c.in.append(buffer, static_cast<std::size_t>(n));
      if (static_cast<std::size_t>(n) < room && !c.hung_up.load(std::memory_order_acquire))
        c.unread = false;
    } else if (n == 0) {
      c.peer_closed = true;
      c.unread = false;
    } else if (errno == EAGAIN || errno == EWOULDBLOCK) {
      c.unread = false;
    } else if (errno != EINTR) {
      return next::close;
    }
  }
  while (true) {
    if (c.in.empty() && !c.parser.started()) {
      if (c.peer_closed)
        return next::close;
      if (c.in.capacity() > 4096)
        std::string().swap(c.in); // an idle connection keeps no buffer
      return next::read;
    }
    std::size_t consumed = 0;
    auto outcome = c.parser.feed(c.in, consumed);
    c.in.erase(0, consumed);
    if (outcome == request_parser::outcome::refused)
      return refuse(c, c.parser.error().status, c.parser.error().reason);
    if (c.parser.in_body()) {
      auto spooled =
          c.spool.keep(c.parser, spool_disk_, c.body_held.load(std::memory_order_relaxed), c.remote_ip);
      c.body_held.fetch_sub(spooled.memory_freed, std::memory_order_relaxed);
      body_budget_.give(c.remote_ip, spooled.memory_freed);
      if (spooled.refusal)
        return refuse(c, spooled.refusal->status, spooled.refusal->reason);
    }
    if (outcome == request_parser::outcome::need_more) {
      if (c.peer_closed)
        return next::close;
      auto now = http_connection::now_ticks();
      if (!c.parser.in_body()) {
        if (c.phase != conn_phase::reading_head) {
          c.head_started.store(now, std::memory_order_relaxed);
          set_phase(c, conn_phase::reading_head);
        }
      } else {
        if (c.body_started.load(std::memory_order_relaxed) == 0)
          c.body_started.store(now, std::memory_order_relaxed);
        c.body_received.store(c.parser.body_received(), std::memory_order_relaxed);
        auto room = make_body_room(c);
        if (room == body_room::more)
          continue; // what is buffered may now be parsed further
        if (room == body_room::none) {
          c.since.store(now, std::memory_order_relaxed);
          set_phase(c, conn_phase::waiting_body);
          return next::wait;
        }
        if (c.phase != conn_phase::reading_body || consumed > 0)
          c.since.store(now, std::memory_order_relaxed);
        set_phase(c, conn_phase::reading_body);
        if (c.parser.request().expects_continue && !c.continue_sent) {
          c.continue_sent = true;
          ::send(c.fd, continue_line, std::char_traits<char>::length(continue_line), MSG_NOSIGNAL);
        }
      }
      return next::read;
    }
    return next::run;
  }
}

// On the owner: the request leaves the connection with what its handler needs, its deadline (the one place
// it is computed) and HEAD decided once; the connection waits, owned by nobody, for the job's answer.
http_server::job http_server::take_job(http_connection& c) {
  set_phase(c, conn_phase::working);
  job j;
  j.request = std::move(c.parser.request());
  j.request.head = j.request.method == "HEAD";
  j.request.deadline = clock::now() + options_.deadline;
  j.remote_ip = c.remote_ip;
  j.index = c.index;
  j.generation = c.generation();
  j.sequence = ++c.sequence;
  j.body_bytes = c.body_held.exchange(0, std::memory_order_relaxed);
  j.spool = std::exchange(c.spool, body_spool{});
  c.head_request = j.request.head;
  c.deadline.store(j.request.deadline.time_since_epoch().count(), std::memory_order_relaxed);
  drop_body(c); // the parser, for the next request; the body's bytes go back when the handler is done
  return j;
}

// On the owner, with the job's response: written (or its stream started), then on to what the client sent
// meanwhile.
http_server::next http_server::answer(http_connection& c, const http_request& request,
                                      http_response& response) {
  bool keep =
      request.keep_alive && !response.close && !stopping_ && ++c.served < options_.keep_alive_max_requests;
  if (response.open_stream) {
    keep = false; // the stream's end is the connection's
    response.chunked = request.minor_version > 0;
  }
  response.omit_body = request.head;
  render_response(response, keep, keep && request.minor_version == 0, c.out);
  c.close_after_write = !keep;
  if (response.open_stream && !request.head)
    start_stream(c, response);
  auto wanted = flush(c);
  return wanted == next::read && c.phase == conn_phase::idle ? take_input(c) : wanted;
}

http_server::next http_server::refuse(http_connection& c, int status, const std::string& reason) {
  ++stats_->bad_requests;
  runtime::log_limited(spdlog::level::warn, "refused HTTP requests", c.remote_ip,
                       fmt::format("http: refused a request from {}: {} ({})", c.remote_ip, status, reason),
                       {{"peer", c.remote_ip}, {"status", std::to_string(status)}, {"reason", reason}});
  c.out = local_response_bytes(status, reason);
  c.close_after_write = true;
  c.in.clear(); // nothing after a refused request is ever read as a request
  drop_body(c);
  return flush(c);
}

http_server::next http_server::flush(http_connection& c) {
  while (c.out_sent < c.out.size()) {
    auto n = ::send(c.fd, c.out.data() + c.out_sent, c.out.size() - c.out_sent, MSG_NOSIGNAL);
    if (n > 0) {
      c.out_sent += static_cast<std::size_t>(n);
      c.since.store(http_connection::now_ticks(), std::memory_order_relaxed);
    } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      if (c.phase.load(std::memory_order_relaxed) != conn_phase::streaming)
        set_phase(c, conn_phase::writing);
      else if (!c.stream_blocked.exchange(true, std::memory_order_relaxed))
        c.since.store(http_connection::now_ticks(), std::memory_order_relaxed); // the write clock starts
      return next::write;
    } else if (n < 0 && errno != EINTR) {
      return next::close;
    }
  }
  c.out.clear();
  c.out_sent = 0;
  if (c.out.capacity() > read_ahead)
    std::string().swap(c.out);
  c.continue_sent = false;
  if (c.phase.load(std::memory_order_relaxed) == conn_phase::streaming) {
    c.stream_blocked.store(false, std::memory_order_relaxed);
    return next::read;
  }
  if (c.close_after_write) {
    linger(c);
    return next::read;
  }
  c.since.store(http_connection::now_ticks(),
                std::memory_order_relaxed); // the idle clock starts with the response out
  set_phase(c, conn_phase::idle);
  return next::read;
}

void http_server::linger(http_connection& c) {
  ::shutdown(c.fd, SHUT_WR);
  c.in.clear();
  c.since.store(http_connection::now_ticks(), std::memory_order_relaxed);
  set_phase(c, conn_phase::lingering);
}

// For a connection that must be looked at now by its loop, whatever its client does: armed for writing too.
bool http_server::arm_at_once(std::uint32_t loop, int fd, std::uint64_t data) {
  return epoll_set(loops_[loop]->epoll_fd, EPOLL_CTL_MOD, fd, connection_events, data);
}

// Edge-triggered, the socket needs no arming to be waited for: a write that found no room has an edge to
// come when there is, and so has a read that took all there was. Only a read stopped short (at a limit)
// must be looked at again at once.
bool http_server::rearm(http_connection& c, next interest) {
  if (interest == next::write || !c.unread)
    return true;
  return arm_at_once(c.loop, c.fd, event_data(c.index, c));
}

} // namespace plugnode::plugs
