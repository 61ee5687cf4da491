// http_server: the HTTP/1.1 connection layer. Connections that wait (idle between requests, still sending a
// head or a body, slow to take a response) hold no thread: they sit in one epoll set, and the worker threads
// take one ready connection at a time from it, read what arrived, and run a request only once the whole
// message is there; a response the client is slow to take waits in the connection's buffer. A sweeper thread
// enforces the per-connection clocks (idle, head deadline, body silence, write silence) and the stop. A
// streaming response (response_stream.hpp) keeps its connection in the set, woken whenever its plug sends.
// Every request is framed by request_parser: an error answers 4xx/5xx and closes (with a short lingering read
// so the client sees the answer rather than a reset); no byte after an error is parsed as a request.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "body_budget.hpp"
#include "body_spool.hpp"
#include "deadline_watch.hpp"
#include "http_connection.hpp"
#include "http_response.hpp"
#include "plugnode/plugs/request_parser.hpp"

namespace plugnode::plugs {

struct server_options {
  std::string address = "0.0.0.0";
  std::uint16_t port = 0;
  std::size_t workers = 256;
  int backlog = 0; // the listen queue; 0: net.core.somaxconn (which also caps any other value)
  std::size_t max_connections = 20000;
  std::size_t keep_alive_max_requests = 1000;
  std::chrono::milliseconds idle_timeout{5000};
  std::chrono::milliseconds head_timeout{10000};
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  std::chrono::milliseconds deadline{30000};
  std::chrono::milliseconds stop_timeout{10000};
  // After a stop, a connection that got its last response this recently may still send one more request
  // (answered with Connection: close) before it is closed: a client sending back to back would otherwise
  // have the request it was just writing reset.
  std::chrono::milliseconds stop_grace{200};
  request_limits limits;
  // Request body bytes held in memory at once, node-wide (body_budget.hpp). A body that needs more waits
  // unread; one that waited read_timeout is answered 503.
  std::size_t body_buffer = std::size_t{64} << 20;
  // The most of it one client address holds (0: a quarter of body_buffer).
  std::size_t body_buffer_per_address = 0;
  // Bodies past spool.threshold go to temporary files (body_spool.hpp), holding 64 KB of body_buffer each.
  spool_options spool;
  // The average a body must keep, in bytes per second, once read_timeout has passed since it could start:
  // a body of N bytes so far is answered 408 after read_timeout + N / body_min_rate. 0: no such clock.
  std::size_t body_min_rate = std::size_t{16} << 10;
  // Per streaming response: bytes sent by the plug and not yet taken by the client; past it the client is
  // dropped (response_stream.hpp).
  std::size_t stream_buffer = std::size_t{1} << 20;
};

struct request_context {
  const std::string& remote_ip;
  std::uint16_t local_port;
};
using request_handler = std::function<void(http_request&, const request_context&, http_response&)>;

// Counters for /metrics: connections by phase now, and what was refused or timed out since the start.
struct server_stats {
  std::atomic<std::int64_t> by_phase[conn_phase_count] = {};
  std::atomic<std::uint64_t> refused_at_cap{0};
  std::atomic<std::uint64_t> head_timeouts{0};
  std::atomic<std::uint64_t> body_timeouts{0};
  std::atomic<std::uint64_t> bad_requests{0};
  std::atomic<std::uint64_t> deadline_replies{0};
  std::atomic<std::uint64_t> body_buffer_refusals{0};
  std::atomic<std::int64_t> body_buffer_bytes{0};
  std::atomic<std::int64_t> body_buffer_peak{0};
  std::atomic<std::int64_t> body_spool_bytes{0};
  std::atomic<std::int64_t> body_spool_peak{0};
  std::atomic<std::uint64_t> body_spool_full{0};
};

class http_server {
public:
  http_server(server_options options, request_handler handler);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  // Binds and listens (port 0: any free one); throws std::runtime_error naming address and port.
  void bind();
  std::uint16_t port() const { return port_; }
  int backlog() const { return backlog_; } // in force once bound
  // Runs the workers until stop() has finished. Blocks the calling thread.
  void serve();
  // Stops accepting, finishes the requests in flight, closes the rest; false if not done within stop_timeout.
  bool stop();
  std::shared_ptr<const server_stats> stats() const { return stats_; }

private:
  // wait: the connection waits for body budget and is not armed; the budget's wake arms it.
  enum class next { read, write, close, wait };
  enum class body_room { enough, more, none };
  // A body no larger than this is read without asking the budget: it costs no more than the read buffer
  // every connection may hold anyway, and a small POST never waits behind large uploads.
  static constexpr std::size_t free_body_bytes = 16 * 1024;
  // After an error response or a close, what the client still sends is read and dropped for this long, so
  // that closing with unread bytes does not reset the connection before the client has read the answer.
  static constexpr std::chrono::milliseconds linger_time{1000};

  void work();
  void accept_ready();
  void on_event(std::uint64_t data);
  void own(http_connection& c);
  next advance(http_connection& c);
  next take_input(http_connection& c);
  next answer(http_connection& c, bool keep_alive);
  next refuse(http_connection& c, int status, const std::string& reason);
  next flush(http_connection& c);
  void run_request(http_connection& c);
  // Streaming responses: the stream opened after the head, a turn of its owner, a plug's wake, the end.
  void start_stream(http_connection& c, http_response& response);
  next stream_turn(http_connection& c);
  void wake_stream(std::uint32_t index, std::uint32_t generation, int fd);
  std::function<void()> end_stream(http_connection& c);
  body_room make_body_room(http_connection& c);
  bool take_granted(http_connection& c);
  void wake_for_body(const body_budget::waiter& w);
  void drop_body(http_connection& c);
  bool rearm(http_connection& c, next interest);
  void set_phase(http_connection& c, conn_phase p);
  void linger(http_connection& c);
  void close(http_connection& c);
  http_connection* slot(std::size_t index) const;
  std::uint64_t event_data(std::size_t index, const http_connection& c) const;
  // The clocks (http_server_clocks.cpp): the sweeper thread and what it does to a connection past one.
  void sweep();
  bool expired(const http_connection& c, http_connection::clock::rep now, bool stopping,
               http_connection::clock::rep stop_time) const;
  bool body_too_slow(const http_connection& c, http_connection::clock::rep now) const;
  // `evicted`: a body below the minimum rate, answered early because others wait for the body budget.
  void expire(http_connection& c, bool evicted = false);
  // The slowest budget holders below the minimum rate seen so far: of those that hold more than a spooled
  // body's buffer, and of the others.
  struct slow_holder {
    std::size_t slot;
    double rate;
  };
  struct slowest_holders {
    slow_holder in_memory;
    slow_holder spooled;
  };
  // For the sweeper: notes the rate of c's body over its last second.
  void note_body_rate(const http_connection& c, http_connection::clock::rep now, slowest_holders& slowest);
  void evict_slow(std::size_t slot, std::size_t slots);
  void finish_if_drained();

  server_options options_;
  request_handler handler_;
  deadline_watch watch_;
  std::shared_ptr<server_stats> stats_ = std::make_shared<server_stats>();
  body_budget body_budget_;
  spool_disk spool_disk_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  int wake_fd_ = -1; // readable once the workers are to exit
  std::uint16_t port_ = 0;
  int backlog_ = 0;

  // Slots are made on first use and never freed, so the sweeper can read any slot below high_water_.
  std::unique_ptr<std::unique_ptr<http_connection>[]> slots_;
  std::atomic<std::size_t> high_water_{0};
  std::mutex free_mutex_;
  std::vector<std::uint32_t> free_slots_;
  std::atomic<std::size_t> open_{0};
  // The sweeper's alone: per slot, each body's rate over its last whole second.
  struct body_rate {
    http_connection::clock::rep started = 0; // which body (its body_started)
    std::uint64_t bytes = 0;
    http_connection::clock::rep at = 0;
    double per_second = -1; // none measured yet
  };
  std::vector<body_rate> body_rates_;
  // The open streams by slot, so that a stop can end them.
  std::mutex streams_mutex_;
  std::unordered_map<std::uint32_t, std::weak_ptr<response_stream>> streams_;

  std::mutex mutex_;
  std::condition_variable changed_;
  bool serving_ = false;
  bool exiting_ = false;
  std::atomic<bool> stopping_{false};
  http_connection::clock::time_point stop_requested_;
};

} // namespace plugnode::plugs
