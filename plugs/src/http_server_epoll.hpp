// The HTTP server's epoll vocabulary, shared by its files: what an event's data says (a connection's slot
// and generation, or one of the tags below), and one call to arm a descriptor.
#pragma once

#include <sys/epoll.h>

#include <cstdint>

namespace plugnode::plugs::detail {

constexpr std::uint64_t listen_tag = ~std::uint64_t{0};
constexpr std::uint64_t wake_tag = ~std::uint64_t{0} - 1;
constexpr std::uint64_t stop_tag = ~std::uint64_t{0} - 2;

// A connection is in its loop's set once, edge-triggered, for reading and writing alike: a request costs
// no epoll_ctl, only its read and its write. Its owner reads until EAGAIN (or notes that it did not:
// http_connection::unread), and an arming with EPOLL_CTL_MOD brings an event at once (it is writable).
constexpr std::uint32_t connection_events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET;

inline bool epoll_set(int epoll_fd, int op, int fd, std::uint32_t events, std::uint64_t data) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = data;
  return ::epoll_ctl(epoll_fd, op, fd, &ev) == 0;
}

} // namespace plugnode::plugs::detail
