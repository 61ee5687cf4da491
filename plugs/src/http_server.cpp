#include "http_server.hpp"

#include <arpa/inet.h>
#include <malloc.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <utility>

#include "http_server_epoll.hpp"
#include "plugnode/plugs/http_fields.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/net/sockets.hpp"

namespace plugnode::plugs {
namespace {

using namespace detail;

using clock = http_connection::clock;

// Read at most this much ahead of the parser in one turn: a client pipelining megabytes is read as the
// parser consumes, never buffered whole.
constexpr std::size_t read_ahead = 64 * 1024;
constexpr const char* continue_line = "HTTP/1.1 100 Continue\r\n\r\n";

// The listen queue's length: `wanted` when given, else as long as the kernel allows (net.core.somaxconn,
// which also caps any larger `wanted`).
int listen_backlog(int wanted) {
  int most = 4096; // somaxconn's default since Linux 5.4, when /proc cannot be read
  if (auto* f = std::fopen("/proc/sys/net/core/somaxconn", "r")) {
    if (std::fscanf(f, "%d", &most) != 1 || most <= 0)
      most = 4096;
    std::fclose(f);
  }
  return wanted > 0 ? std::min(wanted, most) : most;
}

} // namespace

request_handler on_workers(request_work work) {
  auto shared = std::make_shared<request_work>(std::move(work));
  return [shared](http_request&, const request_context&, http_response&) -> request_work {
    return
        [shared](http_request& r, const request_context& ctx, http_response& res) { (*shared)(r, ctx, res); };
  };
}

std::size_t event_loops(std::size_t loops) {
  return loops > 0 ? loops : std::max(1u, std::thread::hardware_concurrency());
}

http_server::http_server(endpoint_options options, request_handler handler)
    : options_(std::move(options)), handler_(std::move(handler)),
      body_budget_(
          options_.body_buffer, options_.body_buffer_per_address,
          [this](const body_budget::waiter& w) { wake_for_body(w); }, stats_->body_buffer_bytes,
          stats_->body_buffer_peak),
      spool_disk_({options_.body_spool, options_.body_spool_dir, options_.body_disk},
                  stats_->body_spool_bytes, stats_->body_spool_peak, stats_->body_spool_full),
      slots_(std::make_unique<std::unique_ptr<http_connection>[]>(options_.max_connections)) {
  // A body is one large allocation per request. glibc raises its mmap threshold each time such a block is
  // freed, after which bodies come from the workers' arenas, and a freed body stays resident in its arena:
  // each arena keeps its own high-water mark, and together they held several times the body budget. A
  // fixed threshold keeps blocks of 1 MB and more (the bodies that can pin memory) mapped, and returned to
  // the system when freed; smaller blocks keep the arenas (glibc's own threshold starts at 128 KB).
  ::mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
  limits_.max_head_bytes = options_.max_header_bytes;
  limits_.max_body = options_.max_body;
  limits_.body_allowance = free_body_bytes;
  wake_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  stop_fd_ = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  bool made = wake_fd_ >= 0 && stop_fd_ >= 0;
  for (std::size_t i = 0; made && i < event_loops(options_.loops); ++i) {
    auto& loop = *loops_.emplace_back(std::make_unique<event_loop>());
    loop.epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
    // The wake is level-triggered and never read: every thread of every loop sees it.
    made = loop.epoll_fd >= 0 && epoll_set(loop.epoll_fd, EPOLL_CTL_ADD, wake_fd_, EPOLLIN, wake_tag) &&
           (i > 0 || epoll_set(loop.epoll_fd, EPOLL_CTL_ADD, stop_fd_, EPOLLIN | EPOLLONESHOT, stop_tag));
  }
  if (!made)
    throw std::runtime_error("http: cannot create the event loops (out of file descriptors?)");
}

http_server::~http_server() {
  stop();
  for (std::size_t i = 0; i < high_water_.load(); ++i)
    if (slots_[i]->fd >= 0)
      ::close(slots_[i]->fd);
  for (int fd : {listen_fd_, wake_fd_, stop_fd_})
    if (fd >= 0)
      ::close(fd);
  for (auto& loop : loops_)
    if (loop->epoll_fd >= 0)
      ::close(loop->epoll_fd);
}

void http_server::bind() {
  auto fail = [this] {
    throw std::runtime_error("cannot listen on " + options_.address + ":" + std::to_string(options_.port) +
                             " (address in use or not available)");
  };
  addrinfo hints{};
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(options_.address.c_str(), std::to_string(options_.port).c_str(), &hints, &found) != 0)
    fail();
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> info(found, &::freeaddrinfo);
  listen_fd_ = ::socket(info->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  backlog_ = listen_backlog(options_.backlog);
  int yes = 1;
  // SO_REUSEADDR only: with SO_REUSEPORT a second process could silently share the port.
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (listen_fd_ < 0 || ::bind(listen_fd_, info->ai_addr, info->ai_addrlen) != 0 ||
      ::listen(listen_fd_, backlog_) != 0)
    fail();
  if (options_.body_spool < options_.max_body)
    spool_disk_.check();
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &length);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6&>(bound).sin6_port
                                            : reinterpret_cast<sockaddr_in&>(bound).sin_port);
  for (auto& loop : loops_)
    epoll_set(loop->epoll_fd, EPOLL_CTL_ADD, listen_fd_, EPOLLIN | EPOLLONESHOT, listen_tag);
}

void http_server::serve() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_)
      return;
    serving_ = true;
  }
  for (auto& loop : loops_)
    loop->threads.store(1, std::memory_order_release); // its own, started below
  // spdlog's registry is made on first use; made here, before the threads that log, its making happens
  // before their reads in a way ThreadSanitizer can see (the library itself is not instrumented).
  runtime::logger();
  std::thread sweeper([this] { sweep(); });
  // The loops first: they serve while the workers are still being made (256 threads take a while to start,
  // much longer under a sanitizer).
  std::vector<std::thread> threads;
  for (auto& loop : loops_)
    threads.emplace_back([this, &loop] { serve_loop(*loop, 0); });
  for (std::size_t i = 0; i < std::max<std::size_t>(options_.workers, 1); ++i)
    threads.emplace_back([this] { work(); });
  for (auto& t : threads)
    t.join();
  sweeper.join();
  for (auto& t : stand_ins_)
    t.join();
  std::lock_guard lock(mutex_);
  serving_ = false;
  changed_.notify_all();
}

bool http_server::stop() {
  bool first = false;
  {
    std::lock_guard lock(mutex_);
    first = !stopping_.exchange(true);
    if (first)
      stop_requested_.store(http_connection::now_ticks());
  }
  if (first) {
    std::uint64_t one = 1;
    [[maybe_unused]] auto n = ::write(stop_fd_, &one, sizeof one); // loop 0 carries it out: begin_stop()
  }
  std::unique_lock lock(mutex_);
  changed_.notify_all();
  return changed_.wait_for(lock, options_.stop_timeout, [this] { return !serving_; });
}

// On loop 0, which took the stop's event: connections the kernel already completed wait in the listen
// queue, and closing it would reset them while their clients may have sent a request: they are taken in
// first (and treated as idle ones). Then the socket stops listening (it stays open: no descriptor reuse under
// a loop about to accept), and open streams end with their final chunk; one opened from now on is closed
// as it opens.
void http_server::begin_stop() {
  if (listen_fd_ >= 0) {
    std::lock_guard lock(accept_mutex_);
    accept_queued();
    listening_ = false;
    ::shutdown(listen_fd_, SHUT_RDWR);
  }
  std::vector<std::shared_ptr<response_stream>> open;
  {
    std::lock_guard lock(streams_mutex_);
    for (auto& [index, stream] : streams_)
      if (auto s = stream.lock())
        open.push_back(std::move(s));
  }
  for (auto& s : open)
    s->close();
  stop_begun_ = true;
  finish_if_drained();
}

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

void http_server::set_phase(http_connection& c, conn_phase p) {
  auto old = c.phase.exchange(p, std::memory_order_release);
  if (old == p)
    return;
  --stats_->by_phase[static_cast<std::size_t>(old)];
  ++stats_->by_phase[static_cast<std::size_t>(p)];
}

void http_server::close(http_connection& c) {
  drop_body(c); // before the descriptor goes: a wake for this connection may be under way
  // Likewise a plug's send may be arming this descriptor. Its on_close runs once the place is free.
  std::function<void()> on_close = c.stream ? end_stream(c) : nullptr;
  set_phase(c, conn_phase::free);
  ::close(c.fd);
  c.fd = -1;
  std::string().swap(c.in);
  std::string().swap(c.out);
  c.out_sent = 0;
  c.served = 0;
  c.close_after_write = c.peer_closed = c.continue_sent = false;
  c.retire();
  {
    std::lock_guard lock(free_mutex_);
    free_slots_.push_back(c.index);
  }
  --open_;
  if (on_close) {
    try {
      on_close();
    } catch (const std::exception& e) {
      runtime::logger().error("http: a response stream's on_close failed: {}", e.what());
    }
  }
  finish_if_drained();
}

void http_server::finish_if_drained() {
  // Not before loop 0 has taken in what the listen queue held: those connections are not counted yet.
  if (!stopping_ || !stop_begun_ || open_.load() != 0)
    return;
  std::lock_guard lock(mutex_);
  if (exiting_)
    return;
  exiting_ = true;
  exit_all();
  changed_.notify_all();
}

// With mutex_ held: the loops, their stand-ins and the workers return.
void http_server::exit_all() {
  std::uint64_t one = 1;
  [[maybe_unused]] auto n = ::write(wake_fd_, &one, sizeof one);
  {
    std::lock_guard lock(pool_mutex_);
    pool_exit_ = true;
  }
  pool_ready_.notify_all();
}

} // namespace plugnode::plugs
