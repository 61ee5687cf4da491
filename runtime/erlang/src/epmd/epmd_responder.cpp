// The EPMD requests of epmd_responder.hpp: one request per connection, answered and closed, as epmd does.
#include "epmd/epmd_responder.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "epmd/epmd_request.hpp"
#include "epmd/epmd_wire.hpp"
#include "plugnode/runtime/log.hpp"
#include "plugnode/runtime/net/pending_clients.hpp"
#include "plugnode/runtime/net/socket_drop.hpp"
#include "plugnode/runtime/net/sockets.hpp"

namespace plugnode::erlang::detail {
namespace {

constexpr int client_timeout_ms = 1000; // a request is a few bytes: a slow client is cut off
constexpr std::size_t max_clients = 64;
constexpr std::size_t clients_per_address = 8;

} // namespace

std::unique_ptr<epmd_responder> epmd_responder::start(const std::string& address, std::uint16_t epmd_port,
                                                      const std::string& alive, std::uint16_t dist_port,
                                                      ei_cnode& ec, std::string& error) {
  in_addr v4{};
  if (::inet_pton(AF_INET, address.c_str(), &v4) != 1) {
    error = "EPMD: '" + address + "' is not an IPv4 address";
    return nullptr;
  }
  std::string why;
  // SOMAXCONN: with a backlog of 64, a flood of reconnecting clients made a legitimate look-up's SYN wait for
  // its retransmission (1 s).
  int fd = runtime::net::open_listener(address, epmd_port, SOMAXCONN, why);
  int bind_errno = errno;
  if (fd >= 0)
    return std::unique_ptr<epmd_responder>(new epmd_responder(
        fd, -1, alive, epmd_port, dist_port, "answering on " + address + ":" + std::to_string(epmd_port)));
  if (bind_errno != EADDRINUSE) {
    error = "EPMD port " + address + ":" + std::to_string(epmd_port) + ": " + why;
    return nullptr;
  }
  // A real epmd holds the port: register with it, as ei_publish does for C nodes (ei finds it through
  // ERL_EPMD_PORT, which erlang_dist sets).
  int registration = ei_publish_tmo(&ec, dist_port, client_timeout_ms);
  if (registration < 0) {
    error = "EPMD port " + address + ":" + std::to_string(epmd_port) +
            " is taken, and registering with the epmd there failed (another node named '" + alive + "'?)";
    return nullptr;
  }
  return std::unique_ptr<epmd_responder>(new epmd_responder(-1, registration, alive, epmd_port, dist_port,
                                                            "registered with the epmd on this host"));
}

epmd_responder::epmd_responder(int listen_fd, int registration_fd, std::string alive, std::uint16_t epmd_port,
                               std::uint16_t dist_port, std::string mode)
    : listen_fd_(listen_fd), registration_fd_(registration_fd), alive_(std::move(alive)),
      epmd_port_(epmd_port), dist_port_(dist_port), mode_(std::move(mode)) {
  if (listen_fd_ >= 0 && ::pipe2(wake_, O_CLOEXEC) == 0)
    thread_ = std::thread([this] { run(); });
}

epmd_responder::~epmd_responder() {
  if (thread_.joinable()) {
    char stop = 1;
    (void)!::write(wake_[1], &stop, 1);
    thread_.join();
  }
  for (int fd : {listen_fd_, registration_fd_, wake_[0], wake_[1]})
    if (fd >= 0)
      ::close(fd);
}

void epmd_responder::run() {
  // Many clients at once, none able to hold the others up: a request is a few bytes sent at connect.
  runtime::net::pending_clients clients(max_clients, clients_per_address, 2 + epmd::max_request,
                                        "refused EPMD clients");
  clients.serve_until_woken(listen_fd_, wake_[0], std::chrono::milliseconds(client_timeout_ms),
                            [this](runtime::net::pending_client& c) { return answer(c); });
}

bool epmd_responder::answer(runtime::net::pending_client& c) {
  // The whole request, or nothing yet: a partial one waits in the buffer for the rest (until its deadline).
  auto r = epmd::reply_to(c.received, epmd::entry{alive_, epmd_port_, dist_port_});
  if (r.what == epmd::reply::verdict::incomplete)
    return false;
  if (r.what == epmd::reply::verdict::refused) {
    runtime::net::reset_on_close(c.fd);
    ::close(c.fd);
    return true;
  }
  if (r.bytes.empty())
    runtime::logger().debug(
        "EPMD: request {} from a client refused (only PORT_PLEASE2 and NAMES are answered)", r.code);
  // A few dozen bytes: they fit the socket's buffer, so this does not wait on a client that does not read.
  // The request was read whole, so the close is a FIN after the answer, as epmd's, not a reset.
  epmd::write_all(c.fd, r.bytes, std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
  ::close(c.fd);
  return true;
}

} // namespace plugnode::erlang::detail
