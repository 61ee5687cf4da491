// http_server: the HTTP/1.1 connection layer. Connections that wait (idle between requests, still sending a
// head or a body, slow to take a response) hold no thread: each sits in the epoll set of one event loop
// (about one per core), given to it at accept. A loop's thread reads what arrived on its ready connections,
// one after another, and once a whole message is there hands it to the handler on the spot: a request whose
// plugs never block (plug.hpp) is run and answered by the loop itself; one that may block goes to the worker
// threads, which answer it and give the connection back to its loop. A response the client is slow to take
// waits in the connection's buffer. A sweeper thread enforces the per-connection clocks (idle, head deadline,
// body silence, write silence, the deadline of a running request), the stop, and a stand-in thread for a loop
// stuck in one request. A streaming response (response_stream.hpp) keeps its connection in its loop's set,
// woken whenever its plug sends. Every request is framed by request_parser: an error answers 4xx/5xx and
// closes (with a short lingering read so the client sees the answer rather than a reset); no byte after an
// error is parsed as a request.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "body_budget.hpp"
#include "body_spool.hpp"
#include "http_connection.hpp"
#include "http_response.hpp"
#include "plugnode/plugs/endpoint.hpp"
#include "plugnode/plugs/request_parser.hpp"

namespace plugnode::plugs {

struct request_context {
  const std::string& remote_ip;
  std::uint16_t local_port;
};
// What may block in a request's handling: run on a worker thread, it answers in `response`.
using request_work = std::function<void(http_request&, const request_context&, http_response&)>;
// Called on the thread that read the request (its event loop's, or a worker's for a request pipelined behind
// one it answered): answers the request in `response` there, or returns the work a worker thread does to
// answer it. It must not block itself.
using request_handler = std::function<request_work(http_request&, const request_context&, http_response&)>;
// A handler that runs all of every request on a worker thread.
request_handler on_workers(request_work work);

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
  // The endpoint's options are the server's: one struct, one set of defaults.
  http_server(endpoint_options options, request_handler handler);
  ~http_server();
  http_server(const http_server&) = delete;
  http_server& operator=(const http_server&) = delete;

  // Binds and listens (port 0: any free one); throws std::runtime_error naming address and port.
  void bind();
  std::uint16_t port() const { return port_; }
  int backlog() const { return backlog_; } // in force once bound
  // Runs the event loops and the workers until stop() has finished. Blocks the calling thread.
  void serve();
  // Stops accepting, finishes the requests in flight, closes the rest; false if not done within stop_timeout.
  bool stop();
  std::shared_ptr<const server_stats> stats() const { return stats_; }

private:
  // wait: nothing to arm now (a body waiting for budget, whose wake arms it; a request running).
  // run: a whole request is parsed: its owner takes it off the connection as a job and lets go.
  enum class next { read, write, close, wait, run };
  enum class body_room { enough, more, none };
  // A request taken off its connection to run. The connection is owned by nobody meanwhile; the job finds
  // it again by slot, generation and sequence, and answers only if it is still its own (a deadline 503
  // may have answered for it, the client may be gone).
  struct job {
    http_request request;
    std::string remote_ip;
    std::uint32_t index = 0;
    std::uint32_t generation = 0;
    std::uint64_t sequence = 0;
    std::size_t body_bytes = 0; // of the body budget: the handler holds the body until it returns
    body_spool spool;           // a spooled body's file and disk, read by the handler: ended once it returns
  };
  // A body no larger than this is read without asking the budget: it costs no more than the read buffer
  // every connection may hold anyway, and a small POST never waits behind large uploads.
  static constexpr std::size_t free_body_bytes = 16 * 1024;
  // After an error response or a close, what the client still sends is read and dropped for this long, so
  // that closing with unread bytes does not reset the connection before the client has read the answer.
  static constexpr std::chrono::milliseconds linger_time{1000};

  // One event loop: its epoll set and the threads that serve it, its own and the sweeper's stand-ins. Per
  // thread, when the request it runs itself started (ticks; 0: none): a loop whose every thread has been in
  // one request for loop_stall (a plug marked non-blocking that blocks) gets a stand-in thread, so that its
  // other connections wait no longer than that (and a request past its deadline still gets its 503).
  static constexpr std::size_t most_threads_per_loop = 8;
  static constexpr std::chrono::milliseconds loop_stall{250};
  struct event_loop {
    int epoll_fd = -1;
    std::array<std::atomic<http_connection::clock::rep>, most_threads_per_loop> running_since{};
    std::atomic<std::size_t> threads{0};
  };
  // A request whose handler left work that may block, queued for the workers.
  struct pool_job {
    job j;
    request_work work;
  };

  void serve_loop(event_loop& loop, std::size_t thread);
  void work();
  void accept_ready();
  void accept_queued(); // with accept_mutex_ held
  void begin_stop();
  void on_event(std::uint64_t data, std::uint32_t events);
  // The owner's loop, from `first` (what a turn already decided) or from a fresh turn; returns the request
  // found, if any, after letting go.
  std::optional<job> own(http_connection& c, std::optional<next> first = std::nullopt);
  next advance(http_connection& c);
  next take_input(http_connection& c);
  next refuse(http_connection& c, int status, const std::string& reason);
  next flush(http_connection& c);
  job take_job(http_connection& c);
  // Runs a job's handler on this thread (owning nothing): answers on its connection if still its own, or
  // queues what may block for the workers.
  void dispatch(job j);
  // With a job's response: answers on its connection if still its own; returns a request pipelined behind it.
  std::optional<job> finish(job& j, http_response& response);
  void check_loops(http_connection::clock::rep now);
  void exit_all();
  next answer(http_connection& c, const http_request& request, http_response& response);
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
  bool arm_at_once(std::uint32_t loop, int fd, std::uint64_t data);
  void set_phase(http_connection& c, conn_phase p);
  void linger(http_connection& c);
  void close(http_connection& c);
  http_connection* slot(std::size_t index) const;
  std::uint64_t event_data(std::size_t index, const http_connection& c) const;
  // The clocks (http_server_clocks.cpp): the sweeper thread finds connections past a clock; it closes those
  // with nothing more to be told (idle, lingering, not reading their response) and hands the others to an
  // owner (marked due, armed), which answers 408 or 503 in expire().
  void sweep();
  bool expired(const http_connection& c, http_connection::clock::rep now) const;
  bool body_too_slow(const http_connection& c, http_connection::clock::rep now) const;
  // For the sweeper, which claimed `c`: closes it, or marks it due and arms it for an owner.
  void hand_over(http_connection& c, http_connection::due_reason why);
  // For the owner of a connection marked due: what its clock says now.
  next expire(http_connection& c, bool evicted);
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
  // For the sweeper: hands a body holder it found below the minimum rate to an owner, to be answered,
  // unless something happened to it since.
  void evict_slow(std::size_t slot, std::size_t slots);
  void finish_if_drained();

  endpoint_options options_;
  request_limits limits_; // from options_, for every connection's parser
  request_handler handler_;
  std::shared_ptr<server_stats> stats_ = std::make_shared<server_stats>();
  body_budget body_budget_;
  spool_disk spool_disk_;
  int listen_fd_ = -1;
  int wake_fd_ = -1; // readable once the loops are to exit
  int stop_fd_ = -1; // readable once a stop is asked: loop 0 accepts what is queued and stops listening
  std::vector<std::unique_ptr<event_loop>> loops_;
  std::atomic<std::size_t> next_loop_{0}; // new connections go to the loops in turn
  // One loop accepts at a time, until EAGAIN, then arms the listener in every loop again; a loop that finds
  // the lock taken leaves it to the one holding it.
  std::mutex accept_mutex_;
  bool listening_ = true;
  std::vector<std::thread> stand_ins_; // started by the sweeper, joined by serve()

  std::mutex pool_mutex_;
  std::condition_variable pool_ready_;
  std::deque<pool_job> pool_;
  bool pool_exit_ = false;
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
  std::atomic<bool> stop_begun_{false}; // loop 0 has carried out begin_stop()
  std::atomic<http_connection::clock::rep> stop_requested_{0};
};

} // namespace plugnode::plugs
