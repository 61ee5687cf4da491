// Who runs what in the HTTP server (http_server.hpp): the loops' threads take what their epoll sets have
// ready, accept, and run the requests whose plugs never block; the workers run the others; either way a
// request's answer goes back to its connection through finish().
#include "http_server.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <thread>

#include "http_server_epoll.hpp"
#include "plugnode/plugs/http_fields.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/log_limiter.hpp"
#include "plugnode/runtime/net/sockets.hpp"

namespace plugnode::plugs {
namespace {

using namespace detail;

// What a handler that threw is answered with.
http_response crash_response() {
  http_response response;
  response.status = 500;
  response.fields = "Content-Type: text/plain; charset=utf-8\r\n";
  response.body = local_reply_body(500);
  return response;
}

// Runs a request's handler through `run`: a handler that throws gets a 500, and the server lives on.
template <class Run> void guarded(Run run, http_response& response) {
  try {
    run();
  } catch (const std::exception& e) {
    runtime::logger().error("http: request handler failed: {}", e.what());
    response = crash_response();
  }
}

// The slot of the thread serving a loop (its own or a stand-in) where it notes the request it runs itself.
thread_local std::atomic<http_connection::clock::rep>* running_since_here = nullptr;

} // namespace

// A loop's thread takes what its epoll set has ready and serves it in turn: reads, runs the requests whose
// plugs never block, writes; other requests go to the workers.
void http_server::serve_loop(event_loop& loop, std::size_t thread) {
  running_since_here = &loop.running_since[thread];
  constexpr int batch = 64;
  epoll_event events[batch];
  while (true) {
    int n = ::epoll_wait(loop.epoll_fd, events, batch, -1);
    if (n < 0 && errno != EINTR)
      return;
    // The batch's connections were last touched a whole round of requests ago: their first cache lines
    // are loaded all at once, instead of one miss at the start of each.
    for (int i = 0; i < n; ++i)
      if (auto* c = slot(events[i].data.u64 & 0xffffffffu))
        __builtin_prefetch(c);
    for (int i = 0; i < n; ++i) {
      auto data = events[i].data.u64;
      if (data == wake_tag)
        return;
      if (data == listen_tag)
        accept_ready();
      else if (data == stop_tag)
        begin_stop();
      else
        on_event(data, events[i].events);
    }
  }
}

// The workers run what may block, one request at a time, and give each connection back to its loop.
void http_server::work() {
  while (true) {
    std::unique_lock lock(pool_mutex_);
    pool_ready_.wait(lock, [this] { return pool_exit_ || !pool_.empty(); });
    if (pool_exit_)
      return;
    auto p = std::move(pool_.front());
    pool_.pop_front();
    lock.unlock();
    http_response response;
    guarded([&] { p.work(p.j.request, request_context{p.j.remote_ip, port_}, response); }, response);
    if (auto next = finish(p.j, response))
      dispatch(std::move(*next));
  }
}

void http_server::accept_ready() {
  std::unique_lock lock(accept_mutex_, std::try_to_lock);
  if (!lock.owns_lock() || !listening_)
    return; // the holder arms the listener in every loop again when done
  accept_queued();
  for (auto& loop : loops_)
    epoll_set(loop->epoll_fd, EPOLL_CTL_MOD, listen_fd_, EPOLLIN | EPOLLONESHOT, listen_tag);
}

void http_server::accept_queued() {
  // Everything queued, until EAGAIN: a burst of connects (a rolling restart behind a load balancer) must
  // leave the listen queue as fast as it fills, or the kernel drops SYNs and those clients wait a second
  // for a retransmit. The other loops keep serving the connections already open meanwhile; the new ones
  // go to the loops in turn.
  while (true) {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED)
        continue;
      if (errno == EMFILE || errno == ENFILE) {
        runtime::log_limited(spdlog::level::warn, "HTTP accept failures", "descriptors",
                             "http: cannot accept a connection: out of file descriptors");
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      break;
    }
    if (open_.load() >= options_.max_connections) {
      ++stats_->refused_at_cap;
      ::close(fd);
      continue;
    }
    std::uint32_t index = 0;
    {
      std::lock_guard lock(free_mutex_);
      if (!free_slots_.empty()) {
        index = free_slots_.back();
        free_slots_.pop_back();
      } else {
        index = static_cast<std::uint32_t>(high_water_.load());
        slots_[index] = std::make_unique<http_connection>();
        slots_[index]->index = index;
        slots_[index]->parser = request_parser(limits_);
        high_water_.store(index + 1, std::memory_order_release);
      }
    }
    ++open_;
    auto& c = *slots_[index];
    c.fd = fd;
    c.unread = true;
    c.hung_up.store(false, std::memory_order_relaxed);
    c.loop = static_cast<std::uint32_t>(next_loop_.fetch_add(1, std::memory_order_relaxed) % loops_.size());
    c.remote_ip = runtime::net::endpoint_of(reinterpret_cast<const sockaddr*>(&peer))
                      .value_or(runtime::net::endpoint{})
                      .address;
    int yes = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    c.since.store(http_connection::now_ticks(), std::memory_order_relaxed);
    set_phase(c, conn_phase::idle);
    c.publish();
    if (!epoll_set(loops_[c.loop]->epoll_fd, EPOLL_CTL_ADD, fd, connection_events, event_data(index, c)))
      close(c);
  }
}

void http_server::dispatch(job j) {
  while (true) {
    http_response response;
    request_work work;
    if (running_since_here)
      running_since_here->store(http_connection::now_ticks(), std::memory_order_relaxed);
    guarded([&] { work = handler_(j.request, request_context{j.remote_ip, port_}, response); }, response);
    if (running_since_here)
      running_since_here->store(0, std::memory_order_relaxed);
    if (work) {
      {
        std::lock_guard lock(pool_mutex_);
        pool_.push_back({std::move(j), std::move(work)});
      }
      pool_ready_.notify_one();
      return;
    }
    auto found = finish(j, response);
    if (!found)
      return;
    j = std::move(*found); // a request pipelined behind it: handled here too
  }
}

std::optional<http_server::job> http_server::finish(job& j, http_response& response) {
  j.spool.end(spool_disk_);
  body_budget_.give(j.remote_ip, j.body_bytes);
  auto& c = *slots_[j.index];
  if (!c.claim_when_free(j.generation))
    return std::nullopt; // closed meanwhile: nobody to answer
  std::optional<next> first;
  if (c.phase.load(std::memory_order_relaxed) == conn_phase::working && c.sequence == j.sequence)
    first = answer(c, j.request, response);
  // else the deadline's 503 answered for it, and this response goes nowhere; the owner's loop goes on.
  return own(c, first);
}

} // namespace plugnode::plugs
