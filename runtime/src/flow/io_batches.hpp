// io_batches: how many system calls a BASP connection's reads and writes took, per socket, counted by the
// scribe that owns it (dist/buffered_scribe.hpp) and read with the peer's TCP counters (peer_traffic.hpp):
// bytes received per read and messages sent per write are the batching the metrics show
// (plugnode_dist_read_batches_total, plugnode_dist_write_batches_total).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>

namespace plugnode::runtime::detail {

struct io_batches {
  std::atomic<std::uint64_t> reads{0};  // recv() calls that returned bytes
  std::atomic<std::uint64_t> writes{0}; // send() calls that took bytes
};

// The counters of socket `fd`, kept while its scribe lives (process-wide: a socket number is unique).
std::shared_ptr<io_batches> track_batches(int fd);
void untrack_batches(int fd);
// Those of `fd`, or none when no scribe owns it.
std::shared_ptr<io_batches> batches_of(int fd);

} // namespace plugnode::runtime::detail
