// Reading a peer connection's TCP counters; see peer_traffic.hpp.
#include "flow/peer_traffic.hpp"

#include <linux/sockios.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include "flow/io_batches.hpp"
#include "plugnode/runtime/net/socket_drop.hpp"

namespace plugnode::runtime::detail {

void peer_traffic::locate(const std::string& address, std::uint16_t port) {
  std::lock_guard<std::mutex> guard(mutex_);
  address_ = address;
  port_ = port;
  fd_ = -1;
}

std::optional<tcp_counters> peer_traffic::read_locked() {
  if (address_.empty())
    return std::nullopt;
  // The number found before is kept while it still names this connection: a scan of /proc/self/fd per
  // heartbeat tick and peer would cost more than the rest of the tick.
  if (fd_ < 0 || !net::connected_to(fd_, address_, port_)) {
    fd_ = -1;
    net::each_socket_to(address_, port_, [this](int fd) { fd_ = fd; });
    if (fd_ < 0)
      return std::nullopt;
  }
  tcp_info info{};
  socklen_t size = sizeof(info);
  if (::getsockopt(fd_, IPPROTO_TCP, TCP_INFO, &info, &size) != 0)
    return std::nullopt;
  tcp_counters out;
  out.received = info.tcpi_bytes_received;
  out.sent = info.tcpi_bytes_acked;
  int queued = 0;
  if (::ioctl(fd_, SIOCOUTQ, &queued) == 0 && queued > 0)
    out.queued = static_cast<std::uint64_t>(queued);
  int unread = 0;
  if (::ioctl(fd_, SIOCINQ, &unread) == 0 && unread > 0)
    out.unread = static_cast<std::uint64_t>(unread);
  if (auto batches = batches_of(fd_)) {
    out.reads = batches->reads.load(std::memory_order_relaxed);
    out.writes = batches->writes.load(std::memory_order_relaxed);
  }
  return out;
}

std::optional<tcp_counters> peer_traffic::read() {
  std::lock_guard<std::mutex> guard(mutex_);
  return read_locked();
}

bool peer_traffic::heard_from() {
  std::lock_guard<std::mutex> guard(mutex_);
  auto now = read_locked();
  if (!now)
    return false;
  bool more = now->received > last_received_;
  last_received_ = now->received;
  return more || now->unread > 0;
}

} // namespace plugnode::runtime::detail
