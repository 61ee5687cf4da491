// endpoint: serves a plug over HTTP/1.1, each request's pipeline running in a CAF actor (Erlang's process
// per request): an exception in a plug ends that request with a 500 and nothing else; a pipeline past its
// deadline gets 503 at the deadline. Connections that wait hold no thread (the connection layer,
// http_server.hpp, spreads them over one event loop per core). A request whose plugs all say they never block
// (plug.hpp; non_blocking for a route's own plug) runs on its connection's loop; any other on one of the
// worker threads, the default. Requests are framed strictly (request_parser.hpp), and the
// limits that protect the node (connections, head time, idle time, sizes) are the options below, which
// are also the connection layer's own (one struct, one set of defaults).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "plugnode/plugs/plug.hpp"

namespace caf {
class actor_system;
}
namespace prometheus {
class Collectable;
}

namespace plugnode::plugs {

struct endpoint_options {
  std::string address = "0.0.0.0";
  std::uint16_t port = 4000;
  // Event loops, each a thread with its own share of the connections, which also runs the requests whose
  // plugs never block (plug.hpp: non_blocking); 0: one per core.
  std::size_t loops = 0;
  // Threads running the requests whose plugs may block (every plug not marked otherwise: an ask holds its
  // thread while it waits). A connection holds one only while such a request runs, so this bounds those
  // requests in progress, not the clients.
  std::size_t workers = 256;
  // Open connections; past it a new connection is closed at once (and counted), never queued unseen.
  std::size_t max_connections = 20000;
  // The listen queue for connections not yet accepted; 0: as long as the kernel allows (net.core.somaxconn,
  // which also caps a larger value). Accepting drains it whenever it is readable.
  int backlog = 0;
  std::size_t keep_alive_max_requests = 1000;
  std::chrono::milliseconds idle_timeout{5000};
  // between requests on a keep-alive connection
  std::chrono::milliseconds head_timeout{10000}; // for the whole request head, however it trickles: 408
  std::chrono::milliseconds read_timeout{5000};  // silence while a body is coming: 408
  std::chrono::milliseconds write_timeout{5000}; // a client not taking its response: closed
  std::size_t max_body = std::size_t{8} << 20;   // larger bodies get 413 before they are read
  std::size_t max_header_bytes = std::size_t{16} << 10; // request line and headers; past it 431
  // Request body bytes held in memory at once by all connections together. A body past 16 KB is read only
  // once its bytes fit (its Content-Length at once; chunked, growing); until then it is not read, so TCP
  // holds its client back, and after read_timeout of waiting it gets 503.
  std::size_t body_buffer = std::size_t{64} << 20;
  // The most of body_buffer the connections of one client address hold together (0: a quarter of it): one
  // flooding address waits on its own while the bodies of others are read.
  std::size_t body_buffer_per_address = 0;
  // A body larger than this is spooled to an unlinked temporary file in body_spool_dir as it arrives (64 KB
  // of body_buffer each) and read by the plug with read_body() (read_body.hpp); conn.body is then empty.
  // At max_body or more: nothing is spooled.
  std::size_t body_spool = std::size_t{1} << 20;
  std::string body_spool_dir = {}; // empty: $TMPDIR, else /tmp
  // Bytes all spooled bodies hold on disk at once; a body that does not fit is read into body_buffer
  // instead (and spooled once there is room).
  std::size_t body_disk = std::size_t{1} << 30;
  // A body must average this many bytes per second once read_timeout has passed (N bytes so far buy
  // read_timeout + N / body_min_rate), or it gets 408: trickling cannot hold memory open. 0: off.
  std::size_t body_min_rate = std::size_t{16} << 10;
  // Per streaming response (response_stream.hpp): bytes sent and not yet taken by the client; a send past
  // it drops the client.
  std::size_t stream_buffer = std::size_t{1} << 20;
  std::chrono::milliseconds deadline{30000}; // per pipeline; then 503
  std::chrono::milliseconds stop_timeout{10000};
  // After a stop, a connection that got its last response this recently may still send one more request
  // (answered with Connection: close) before it is closed: a client sending back to back would otherwise
  // have the request it was just writing reset.
  std::chrono::milliseconds stop_grace{200};
};

// The event loops a server runs for `loops` (endpoint_options::loops): one per core when 0.
std::size_t event_loops(std::size_t loops);

class endpoint {
public:
  // Requests run as actors of `system`, which must outlive the endpoint.
  endpoint(caf::actor_system& system, endpoint_options options, plug app);
  ~endpoint();
  endpoint(const endpoint&) = delete;
  endpoint& operator=(const endpoint&) = delete;

  // Binds the port (0: any free one); throws std::runtime_error naming address and port when it cannot.
  void bind();
  // Serves until stop(); call bind() first. Blocks the calling thread.
  void serve();
  // Stops accepting; requests already received are answered (with Connection: close), idle connections
  // close, and it waits up to stop_timeout for serve() to return. False when it did not (a pipeline still
  // running).
  bool stop();

  std::uint16_t port() const;
  int backlog() const; // in force once bound
  // Connection counters for /metrics (metrics::collect_also): open connections by state, refusals, timeouts.
  std::shared_ptr<const prometheus::Collectable> connection_metrics() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace plugnode::plugs
