// The HTTP server's life (http_server.hpp): made with its event loops, bound, serving, stopped; and a
// connection's end. A connection's turn is in http_server_turns.cpp, who runs it in http_server_threads.cpp.
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
#include <cstdio>
#include <stdexcept>
#include <thread>
#include <utility>

#include "http_server_epoll.hpp"
#include "plugnode/runtime/log.hpp"

namespace plugnode::plugs {
namespace {

using namespace detail;

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
