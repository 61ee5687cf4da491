// served: an endpoint serving a plug on a fresh loopback port in this process, for tests over real sockets,
// and a raw TCP client for what a well-behaved HTTP client would never send.
#pragma once

#include <caf/actor_system.hpp>
#include <caf/actor_system_config.hpp>
#include <httplib.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "plugnode/plugs/endpoint.hpp"

namespace plugnode::test {

class served {
public:
  explicit served(plugs::plug app, plugs::endpoint_options options = {});
  ~served();
  served(const served&) = delete;
  served& operator=(const served&) = delete;

  std::uint16_t port() const { return endpoint_->port(); }
  plugs::endpoint& endpoint() { return *endpoint_; }
  caf::actor_system& system() { return system_; }
  // A client with short timeouts, so a test never hangs on the server.
  httplib::Client client() const;
  // Stops the endpoint (idempotent) and waits for its thread.
  bool stop();

private:
  caf::actor_system_config config_;
  caf::actor_system system_{config_};
  std::unique_ptr<plugs::endpoint> endpoint_;
  std::thread thread_;
};

// The value of one of `server`'s connection metrics (a counter or an unlabelled gauge); fails the test when
// there is none of that name.
double metric(served& server, const std::string& name);

// Answers a POST body's length and SHA-256 (body_digest), read through read_body() in 64 KB parts, so a
// client can tell its body arrived intact, whether the connection kept it in memory or spooled it.
void answer_digest(plugs::conn& c);

// Connects to 127.0.0.1:port, sends `request` and
// returns everything the server sent until it closed the connection or `timeout` passed.
struct raw_result {
  std::string response;
  bool closed = false; // the server closed the connection (else the timeout ended the read)
};
raw_result raw_exchange(std::uint16_t port, const std::string& request,
                        std::chrono::milliseconds timeout = std::chrono::milliseconds(3000));

// Status code of the first response in `response` ("HTTP/1.1 400 ..."), or 0.
int status_of(const std::string& response);

// The complete responses at the start of `bytes` (each head and its Content-Length body), in order; not
// for answers to HEAD, which announce a length they do not carry.
std::vector<std::string> split_responses(const std::string& bytes);

// A raw TCP connection held open: for tests that hold thousands, trickle bytes, or pipeline requests.
class raw_connection {
public:
  // Connects from `from` (a 127.0.0.x address), to 127.0.0.1:port; throws std::runtime_error if it cannot.
  explicit raw_connection(std::uint16_t port, const std::string& from = "127.0.0.1");
  ~raw_connection();
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  // False once the server has closed or reset the connection.
  bool send(const std::string& bytes);
  // Reads until `count` complete responses have arrived, the server closed, or `timeout` passed.
  raw_result read_responses(std::size_t count, std::chrono::milliseconds timeout);
  int fd() const { return fd_; }

private:
  int fd_;
  std::string unread_;
};

// Raises this process's open-files limit to the hard limit (a test holding thousands of connections);
// returns the limit now in force.
std::size_t raise_open_files_limit();

} // namespace plugnode::test
