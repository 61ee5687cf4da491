// peer_traffic: what the kernel counts on the TCP connection to one peer: bytes received and sent, bytes
// still queued to send. Any byte from a peer is a sign of life (as Erlang's net_kernel counts any traffic
// on a distribution channel, not just its ticks): a heartbeat answer can sit behind a megabyte of data on
// a busy link, the byte count cannot; nor can bytes still unread in this side's receive queue. CAF 0.17
// exposes no counters, so the socket is found by the peer address BASP reports (as socket_drop.hpp does) and
// asked for TCP_INFO.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <string>

namespace plugnode::runtime::detail {

struct tcp_counters {
  std::uint64_t received = 0; // payload bytes received
  std::uint64_t sent = 0;     // payload bytes the peer acknowledged
  std::uint64_t queued = 0;   // bytes in the send queue: not sent yet or not acknowledged
  std::uint64_t unread = 0;   // bytes received that this process has not read yet
  std::uint64_t reads = 0;    // recv() calls that returned bytes (io_batches.hpp)
  std::uint64_t writes = 0;   // send() calls that took bytes
};

class peer_traffic {
public:
  // Where the connection goes, once BASP reported it (the flow actor asks; see dist_flow.hpp).
  void locate(const std::string& address, std::uint16_t port);
  // The counters now; nothing before locate() or when the connection is gone.
  std::optional<tcp_counters> read();
  // True when bytes arrived since the last call, or received bytes wait to be read (a busy reader must not
  // take the peer it is still reading for a silent one); the agent calls it once per heartbeat tick.
  bool heard_from();

private:
  std::optional<tcp_counters> read_locked();

  std::mutex mutex_;
  std::string address_;
  std::uint16_t port_ = 0;
  int fd_ = -1;
  std::uint64_t last_received_ = 0;
};

} // namespace plugnode::runtime::detail
