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
constexpr std::size_t max_request = 512; // a name is at most 255 bytes

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
  int fd = runtime::net::open_listener(address, epmd_port, 64, why);
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
  runtime::net::pending_clients clients(max_clients, clients_per_address, "refused EPMD clients");
  clients.serve_until_woken(listen_fd_, wake_[0], std::chrono::milliseconds(client_timeout_ms),
                            [this](runtime::net::pending_client& c) { return answer(c.fd); });
}

bool epmd_responder::answer(int client) {
  using namespace epmd;
  // The whole request, or nothing yet: peeked, so a partial one waits for the rest (until its deadline).
  char peeked[2 + max_request];
  auto got = ::recv(client, peeked, sizeof peeked, MSG_PEEK | MSG_DONTWAIT);
  if (got < 0 && (errno == EAGAIN || errno == EINTR))
    return false;
  auto refuse = [client] {
    runtime::net::reset_on_close(client);
    ::close(client);
    return true;
  };
  if (got <= 0)
    return refuse();
  if (got < 2)
    return false;
  std::size_t length =
      (std::size_t{static_cast<unsigned char>(peeked[0])} << 8) | static_cast<unsigned char>(peeked[1]);
  if (length == 0 || length > max_request)
    return refuse();
  if (static_cast<std::size_t>(got) < 2 + length)
    return false;
  std::string request(peeked + 2, length);
  auto code = static_cast<std::uint8_t>(request[0]);
  std::string reply;
  if (code == port_please2_req) {
    if (request.substr(1) != alive_) {
      reply = {static_cast<char>(port2_resp), 1}; // not found
    } else {
      reply = {static_cast<char>(port2_resp), 0};
      put16(reply, dist_port_);
      reply += static_cast<char>(hidden_node);
      reply += static_cast<char>(tcp_ipv4);
      put16(reply, highest_version);
      put16(reply, lowest_version);
      put16(reply, static_cast<std::uint16_t>(alive_.size()));
      reply += alive_;
      put16(reply, 0); // no extra
    }
  } else if (code == names_req) {
    reply = {0, 0, static_cast<char>(epmd_port_ >> 8), static_cast<char>(epmd_port_ & 0xff)};
    reply += "name " + alive_ + " at port " + std::to_string(dist_port_) + "\n";
  } else {
    runtime::logger().debug(
        "EPMD: request {} from a client refused (only PORT_PLEASE2 and NAMES are answered)", code);
  }
  // A few dozen bytes: they fit the socket's buffer, so this does not wait on a client that does not read.
  write_all(client, reply, std::chrono::steady_clock::now() + std::chrono::milliseconds(100));
  ::close(client);
  return true;
}

} // namespace plugnode::erlang::detail
