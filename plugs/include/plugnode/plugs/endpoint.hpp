// endpoint: serves a plug over HTTP with cpp-httplib, each request's pipeline running as its own CAF actor
// (Erlang's process per request): an exception in a plug ends that request with a 500 and nothing else; a
// pipeline past its deadline gets 503 at the deadline. cpp-httplib is tuned at run time as it needs on this
// platform (see docs/architecture.md): no Nagle, a worker pool that does not starve keep-alive connections, a
// real listen backlog, exclusive binding (no SO_REUSEPORT), bounded headers, bodies and timeouts.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "plugnode/plugs/plug.hpp"

namespace caf {
class actor_system;
}

namespace plugnode::plugs {

using plug_fn = plug;

// Where a request's pipeline runs (docs/architecture.md has the measurements behind the default). In every
// mode the client has its 503 at the deadline (within a tenth of it), even from a plug that never returns.
// - `worker_actor`: on the HTTP worker thread that read the request, in that thread's blocking actor. The
//   actor is replaced after any request that answered 5xx (a crash, an aborted actor, a deadline) or left
//   messages in its mailbox, so every request starts on a clean actor; no thread hand-off. Past the
//   deadline a watch thread answers on the socket and closes the connection; the worker itself stays busy
//   until the plug returns.
// - `request_actor`: the same with a fresh actor for every request (CAF 0.17 wakes its clock thread for each
//   actor that terminates: about 4 us and a context switch per request).
// - `spawned_actor`: in an actor spawned on CAF's scheduler while the worker waits, so past the deadline the
//   worker is free again at once and the connection stays open, at the price of two thread hand-offs per
//   request; and blocking plugs (ask) then block a scheduler thread.
enum class isolation { worker_actor, request_actor, spawned_actor };

struct endpoint_options {
  std::string address = "0.0.0.0";
  std::uint16_t port = 4000;
  // Each keep-alive connection holds a worker while open: fewer workers than connections starves the rest.
  std::size_t workers = 256;
  int backlog = 1024;
  std::size_t keep_alive_max_requests = 1000;
  std::chrono::seconds keep_alive_timeout{5};
  // Per read/write on the socket: a client sending a byte a second is dropped after this much silence.
  std::chrono::milliseconds read_timeout{5000};
  std::chrono::milliseconds write_timeout{5000};
  std::size_t max_body = std::size_t{8} << 20; // larger bodies get 413 before they are read
  std::size_t max_header_bytes = std::size_t{16}
                                 << 10; // request line and headers; past it 400 and the connection closes
  std::chrono::milliseconds deadline{30000}; // per pipeline; then 503
  std::chrono::milliseconds stop_timeout{10000};
  isolation mode = isolation::worker_actor;
};

class endpoint {
public:
  // Requests run as actors of `system`, which must outlive the endpoint.
  endpoint(caf::actor_system& system, endpoint_options options, plug_fn plug);
  ~endpoint();
  endpoint(const endpoint&) = delete;
  endpoint& operator=(const endpoint&) = delete;

  // Binds the port (0: any free one); throws std::runtime_error naming address and port when it cannot.
  void bind();
  // Serves until stop(); call bind() first. Blocks the calling thread.
  void serve();
  // Stops accepting, lets in-flight requests finish and waits up to stop_timeout for serve() to return.
  // Returns false when it did not (a pipeline still running).
  bool stop();

  std::uint16_t port() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace plugnode::plugs
