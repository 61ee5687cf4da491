// The wrapped callbacks of ei_callbacks.hpp.
#include "dist/ei_callbacks.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <vector>

#include "dist/erlang_gate.hpp"

extern "C" {
// Exported by libei, not declared in ei.h.
extern ei_socket_callbacks ei_default_socket_callbacks;
}

namespace plugnode::erlang::detail {
namespace {

// ERTS dist.hrl: DFLAG_DIST_MONITOR, DFLAG_DIST_MONITOR_NAME, DFLAG_SPAWN.
constexpr std::uint64_t added_flags = 0x08 | 0x20 | (std::uint64_t{1} << 32);
constexpr char name_or_challenge = 'N'; // version 6 send_name and challenge: 'N', 8 flag bytes, ...

using clock = std::chrono::steady_clock;

std::mutex gates_mutex;
std::map<int, erlang_gate*> gates; // by listening socket

// The calling thread's handshake: ei runs each accept or connect, handshake included, on one thread.
struct handshake_state {
  // The handshake's total deadline, from its accept or connect: ei's own timeout is per read, so a peer
  // sending a byte per timeout could otherwise hold the handshake (and an acceptor) for ever.
  std::optional<clock::time_point> deadline;
  int fd = -1;                 // the accepted connection
  erlang_gate* gate = nullptr; // that gave it
  std::string unread;          // what the gate read of it already, which ei reads first
};

handshake_state& current() {
  thread_local handshake_state state;
  return state;
}

erlang_gate* gate_of(void* listen_ctx) {
  int fd = -1;
  if (ei_default_socket_callbacks.get_fd(listen_ctx, &fd) != 0)
    return nullptr;
  std::lock_guard<std::mutex> lock(gates_mutex);
  auto found = gates.find(fd);
  return found == gates.end() ? nullptr : found->second;
}

void* fd_as_ctx(int fd) {
  return reinterpret_cast<void*>(static_cast<std::intptr_t>(fd));
}

int fd_of(void* ctx) {
  int fd = -1;
  ei_default_socket_callbacks.get_fd(ctx, &fd);
  return fd;
}

// libei (OTP 25) waits with select() unless the callbacks implement timeouts themselves, and select() cannot
// watch a descriptor numbered 1024 or more, which a node serving thousands of HTTP connections hands out. So
// the callbacks declare the full implementation and wait with poll(): 0 when `fd` is ready, else an error
// code (ETIMEDOUT after `tmo` ms; EI_SCLBK_INF_TMO waits for ever).
int wait_for(int fd, short events, unsigned tmo) {
  pollfd p{fd, events, 0};
  for (;;) {
    int timeout = tmo == EI_SCLBK_INF_TMO ? -1 : static_cast<int>(std::min<unsigned>(tmo, 1u << 30));
    if (auto& deadline = current().deadline) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - clock::now()).count();
      if (left <= 0)
        return ETIMEDOUT;
      timeout = timeout < 0 ? static_cast<int>(std::min<long long>(left, 1 << 30))
                            : static_cast<int>(std::min<long long>(left, timeout));
    }
    int n = ::poll(&p, 1, timeout);
    if (n > 0)
      return 0;
    if (n == 0)
      return ETIMEDOUT;
    if (errno != EINTR)
      return errno;
  }
}

// Every listening socket of the Erlang side has its gate (erlang_dist registers it before any acceptor runs).
int accept_from_gate(void** ctx, void* addr, int* len, unsigned tmo) {
  auto gate = gate_of(*ctx);
  if (gate == nullptr)
    return EBADF;
  auto wait = tmo == EI_SCLBK_INF_TMO ? std::chrono::milliseconds(std::chrono::hours(1))
                                      : std::chrono::milliseconds(tmo);
  auto taken = gate->take(wait);
  if (taken.fd < 0)
    return ETIMEDOUT;
  auto& state = current();
  state.deadline =
      tmo == EI_SCLBK_INF_TMO ? std::nullopt : std::optional(clock::now() + std::chrono::milliseconds(tmo));
  state.fd = taken.fd;
  state.gate = gate;
  state.unread = std::move(taken.received);
  auto size = static_cast<socklen_t>(*len);
  ::getpeername(taken.fd, static_cast<sockaddr*>(addr), &size);
  *len = static_cast<int>(size);
  last_accepted_peer() = taken.peer;
  last_accepted_address() = taken.address;
  *ctx = fd_as_ctx(taken.fd);
  return 0;
}

// A connect that gives up after `tmo`; the descriptor is blocking again on return, as ei requires.
int connect_within(void* ctx, void* addr, int len, unsigned tmo) {
  current().deadline =
      tmo == EI_SCLBK_INF_TMO ? std::nullopt : std::optional(clock::now() + std::chrono::milliseconds(tmo));
  int fd = fd_of(ctx);
  int flags = ::fcntl(fd, F_GETFL);
  ::fcntl(fd, F_SETFL, flags | O_NONBLOCK);
  int error = 0;
  if (::connect(fd, static_cast<sockaddr*>(addr), static_cast<socklen_t>(len)) != 0) {
    error = errno == EINPROGRESS ? wait_for(fd, POLLOUT, tmo) : errno;
    socklen_t size = sizeof error;
    if (error == 0)
      ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &size);
  }
  ::fcntl(fd, F_SETFL, flags);
  return error;
}

int read_within(void* ctx, char* buf, ssize_t* len, unsigned tmo) {
  auto& unread = current().unread;
  if (!unread.empty() && fd_of(ctx) == current().fd) {
    auto n = std::min(unread.size(), static_cast<std::size_t>(std::max<ssize_t>(*len, 0)));
    std::copy_n(unread.data(), n, buf);
    unread.erase(0, n);
    *len = static_cast<ssize_t>(n);
    return 0;
  }
  if (int error = wait_for(fd_of(ctx), POLLIN, tmo))
    return error;
  return ei_default_socket_callbacks.read(ctx, buf, len, tmo);
}

// send(2) with MSG_NOSIGNAL, never write(2) as ei's own callback does: a peer that closed the socket makes
// the write fail with EPIPE instead of raising SIGPIPE, whose default ends the whole process (one
// send_name and a close did, before).
int send_within(int fd, const char* buf, ssize_t* len, unsigned tmo) {
  if (int error = wait_for(fd, POLLOUT, tmo))
    return error;
  auto sent = ::send(fd, buf, static_cast<std::size_t>(*len), MSG_NOSIGNAL);
  if (sent < 0)
    return errno;
  *len = sent;
  return 0;
}

// Handshake messages carry a 2-byte length first; only plugnode's own code writes after the handshake.
int write_adding_flags(void* ctx, const char* buf, ssize_t* len, unsigned tmo) {
  if (*len < 11 || buf[2] != name_or_challenge)
    return send_within(fd_of(ctx), buf, len, tmo);
  std::vector<char> copy(buf, buf + *len);
  for (int i = 0; i < 8; ++i)
    copy[static_cast<std::size_t>(3 + i)] |= static_cast<char>((added_flags >> (8 * (7 - i))) & 0xff);
  return send_within(fd_of(ctx), copy.data(), len, tmo);
}

// ei closes a connection whose handshake failed through this: the gate forgets it before its descriptor
// number can be reused.
int close_ending_handshake(void* ctx) {
  if (fd_of(ctx) == current().fd)
    handshake_over(false);
  return ei_default_socket_callbacks.close(ctx);
}

ei_socket_callbacks make_callbacks() {
  ei_socket_callbacks callbacks = ei_default_socket_callbacks;
  callbacks.flags |= EI_SCLBK_FLG_FULL_IMPL;
  callbacks.accept = accept_from_gate;
  callbacks.connect = connect_within;
  callbacks.read = read_within;
  callbacks.write = write_adding_flags;
  callbacks.close = close_ending_handshake;
  callbacks.writev = nullptr; // every write through write_adding_flags
  return callbacks;
}

} // namespace

ei_socket_callbacks* plugnode_socket_callbacks() {
  static ei_socket_callbacks callbacks = make_callbacks();
  return &callbacks;
}

std::string& last_accepted_peer() {
  thread_local std::string peer;
  return peer;
}

std::string& last_accepted_address() {
  thread_local std::string address;
  return address;
}

void handshake_over(bool authenticated) {
  auto& state = current();
  if (state.gate != nullptr)
    state.gate->done(state.fd, authenticated);
  state = handshake_state{};
}

void take_accepts_from(int listen_fd, erlang_gate* gate) {
  std::lock_guard<std::mutex> lock(gates_mutex);
  if (gate != nullptr)
    gates[listen_fd] = gate;
  else
    gates.erase(listen_fd);
}

bool contexts_are_descriptors() {
  // The gate hands ei a descriptor as the connection's context; ei's default callbacks must read it back.
  int fd = -1;
  return ei_default_socket_callbacks.get_fd(fd_as_ctx(42), &fd) == 0 && fd == 42;
}

} // namespace plugnode::erlang::detail
