// endpoint: serves a plug over HTTP with cpp-httplib, tuned as the library needs on this platform (see
// docs/architecture.md): no Nagle, a worker pool that does not starve keep-alive connections, a real listen
// backlog, exclusive binding (no SO_REUSEPORT), and no exception text leaking to clients.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "plugnode/plugs/conn.hpp"

namespace caf {
class actor_system;
}

namespace plugnode::plugs {

using plug_fn = std::function<void(conn&)>;

struct endpoint_options {
  std::string address = "0.0.0.0";
  std::uint16_t port = 4000;
  std::size_t workers = 64;
  int backlog = 1024;
};

class endpoint {
public:
  // Requests run as actors of `system`, which must outlive the endpoint.
  endpoint(caf::actor_system& system, endpoint_options options, plug_fn plug);
  ~endpoint();
  endpoint(const endpoint&) = delete;
  endpoint& operator=(const endpoint&) = delete;

  // Binds the port; throws std::runtime_error naming address and port when it cannot.
  void bind();
  // Serves until stop(); call bind() first. Blocks the calling thread.
  void serve();
  // Stops accepting and lets in-flight requests finish.
  void stop();

  std::uint16_t port() const;

private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

} // namespace plugnode::plugs
