// A scribe that reads in chunks; see buffered_scribe.hpp. The servant glue mirrors CAF 0.17.6's
// scribe_impl (libcaf_io/src/io/network/scribe_impl.cpp); only the read policy differs.
#include "dist/buffered_scribe.hpp"

#include <algorithm>
#include <cstring>
#include <vector>

#include <caf/io/network/default_multiplexer.hpp>
#include <caf/io/network/stream_impl.hpp>
#include <caf/policy/tcp.hpp>

#include "flow/io_batches.hpp"

namespace plugnode::runtime::detail {
namespace {

using caf::io::network::native_socket;
using caf::io::network::rw_state;

// CAF's TCP policy, reading through a buffer of its own. The stream keeps calling read_some while
// must_read_more says so, so nothing is left in the buffer when it returns to the event loop (which only
// wakes it again for bytes in the socket). That is also why the chunk is small: past CAF's
// max-consecutive-reads the stream still works through the rest of a chunk before the I/O thread serves
// anything else (a heartbeat's answer, another peer), and 16 KB are a few hundred small messages, where
// CAF's own scribe stopped after 25 (with a sink taking 1 ms per message on the I/O thread, 64 KB kept
// it away for over a second and the peer declared it dead).
class chunked_tcp {
public:
  static constexpr size_t chunk = 16 * 1024;

  explicit chunked_tcp(std::shared_ptr<io_batches> batches) : buf_(chunk), batches_(std::move(batches)) {}

  rw_state read_some(size_t& result, native_socket fd, void* out, size_t len) {
    if (begin_ == end_ && len >= chunk) // a large payload: straight into its place
      return counted(batches_->reads, caf::policy::tcp::read_some(result, fd, out, len), &result);
    if (begin_ == end_) {
      size_t got = 0;
      auto state =
          counted(batches_->reads, caf::policy::tcp::read_some(got, fd, buf_.data(), buf_.size()), &got);
      if (state != rw_state::success || got == 0) {
        result = 0;
        return state;
      }
      begin_ = 0;
      end_ = got;
    }
    result = std::min(len, end_ - begin_);
    std::memcpy(out, buf_.data() + begin_, result);
    begin_ += result;
    return rw_state::success;
  }

  bool must_read_more(native_socket, size_t) const { return begin_ != end_; }

  rw_state write_some(size_t& result, native_socket fd, const void* buf, size_t len) {
    return counted(batches_->writes, caf::policy::tcp::write_some(result, fd, buf, len), &result);
  }

private:
  // `bytes` by address: read after the call that sets it (argument order is unspecified).
  static rw_state counted(std::atomic<std::uint64_t>& calls, rw_state state, const size_t* bytes) {
    if (state == rw_state::success && *bytes > 0)
      calls.fetch_add(1, std::memory_order_relaxed);
    return state;
  }

  std::vector<char> buf_;
  std::shared_ptr<io_batches> batches_;
  size_t begin_ = 0;
  size_t end_ = 0;
};

class buffered_scribe final : public caf::io::scribe {
public:
  buffered_scribe(caf::io::network::default_multiplexer& mpx, native_socket fd)
      : caf::io::scribe(caf::io::network::conn_hdl_from_socket(fd)), stream_(mpx, fd, track_batches(fd)) {}
  // Before the stream's destructor closes the socket, whose number may then be reused.
  ~buffered_scribe() override { untrack_batches(stream_.fd()); }

  void configure_read(caf::io::receive_policy::config config) override {
    stream_.configure_read(config);
    if (!launched_) {
      launched_ = true;
      stream_.start(this);
    }
  }
  void ack_writes(bool enable) override { stream_.ack_writes(enable); }
  std::vector<char>& wr_buf() override { return stream_.wr_buf(); }
  std::vector<char>& rd_buf() override { return stream_.rd_buf(); }
  void graceful_shutdown() override {
    stream_.graceful_shutdown();
    detach(&stream_.backend(), false);
  }
  void flush() override { stream_.flush(this); }
  std::string addr() const override {
    auto x = caf::io::network::remote_addr_of_fd(stream_.fd());
    return x ? *x : std::string();
  }
  uint16_t port() const override {
    auto x = caf::io::network::remote_port_of_fd(stream_.fd());
    return x ? *x : 0;
  }
  void add_to_loop() override { stream_.activate(this); }
  void remove_from_loop() override { stream_.passivate(); }

private:
  bool launched_ = false;
  caf::io::network::stream_impl<chunked_tcp> stream_;
};

} // namespace

caf::io::scribe_ptr make_buffered_scribe(caf::io::network::default_multiplexer& mpx, native_socket fd) {
  return caf::make_counted<buffered_scribe>(mpx, fd);
}

} // namespace plugnode::runtime::detail
