#include "tuned_server.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <string>

#include "socket_address.hpp"

namespace plugnode::plugs {
namespace {

bool wait_for(socket_t sock, short events, std::chrono::milliseconds timeout) {
  pollfd p{sock, events, 0};
  int n = 0;
  do
    n = ::poll(&p, 1, static_cast<int>(timeout.count()));
  while (n < 0 && errno == EINTR);
  return n > 0;
}

// A socket stream that checks the request head as cpp-httplib reads it. cpp-httplib reads the request line
// and header lines one byte at a time through its line reader, so the check sees every line whole; once the
// blank line ends the head, the body passes unchecked until the next request starts.
class guarded_stream final : public httplib::Stream {
public:
  guarded_stream(socket_t sock, const connection_limits& limits, const deadline_watch::slot* watched)
      : sock_(sock), limits_(limits), watched_(watched) {}

  void start_request() {
    in_head_ = true;
    head_bytes_ = 0;
    lines_ = 0;
    line_.clear();
  }
  bool refused() const { return refused_; }
  bool has_buffered() const { return begin_ < end_; }

  bool is_readable() const override {
    return has_buffered() || wait_for(sock_, POLLIN, limits_.read_timeout);
  }
  bool is_writable() const override { return wait_for(sock_, POLLOUT, limits_.write_timeout); }

  ssize_t read(char* ptr, size_t size) override {
    if (refused_ || answered_for_us())
      return -1;
    if (!has_buffered()) {
      if (!wait_for(sock_, POLLIN, limits_.read_timeout))
        return -1;
      ssize_t n = 0;
      do
        n = ::recv(sock_, buffer_, sizeof buffer_, 0);
      while (n < 0 && errno == EINTR);
      if (n <= 0)
        return n;
      begin_ = 0;
      end_ = static_cast<std::size_t>(n);
    }
    auto n = std::min(size, end_ - begin_);
    std::memcpy(ptr, buffer_ + begin_, n);
    begin_ += n;
    if (in_head_ && !check_head(ptr, n)) {
      refused_ = true;
      return -1;
    }
    return static_cast<ssize_t>(n);
  }

  ssize_t write(const char* ptr, size_t size) override {
    if (answered_for_us() || !is_writable())
      return -1;
    ssize_t n = 0;
    do
      n = ::send(sock_, ptr, size, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    return n;
  }

  // cpp-httplib asks for both addresses on every request; they are the connection's, so looked up once.
  void get_remote_ip_and_port(std::string& ip, int& port) const override {
    if (!remote_)
      remote_ = address_of(sock_, socket_end::peer);
    ip = remote_->ip;
    port = remote_->port;
  }
  void get_local_ip_and_port(std::string& ip, int& port) const override {
    if (!local_)
      local_ = address_of(sock_, socket_end::local);
    ip = local_->ip;
    port = local_->port;
  }
  socket_t socket() const override { return sock_; }

private:
  bool answered_for_us() const { return watched_ && watched_->answered(); }

  // A header line needs a non-empty name without white space, then a colon; a line starting with white
  // space (the obsolete line folding) is refused too, as RFC 9112 allows.
  static bool valid_header_line(const std::string& line) {
    auto colon = line.find(':');
    return colon != std::string::npos && colon > 0 && line.find_first_of(" \t") > colon;
  }

  bool check_head(const char* data, std::size_t n) {
    head_bytes_ += n;
    if (head_bytes_ > limits_.max_header_bytes)
      return false;
    for (std::size_t i = 0; i < n; ++i) {
      if (data[i] != '\n') {
        line_ += data[i];
        continue;
      }
      bool blank = line_.empty() || line_ == "\r";
      if (lines_++ > 0) {
        if (blank) {
          in_head_ = false;
          return true;
        }
        if (!valid_header_line(line_))
          return false;
      }
      line_.clear();
    }
    return true;
  }

  socket_t sock_;
  const connection_limits& limits_;
  const deadline_watch::slot* watched_;
  mutable std::optional<socket_address> remote_;
  mutable std::optional<socket_address> local_;
  char buffer_[4096];
  std::size_t begin_ = 0;
  std::size_t end_ = 0;
  bool in_head_ = true;
  bool refused_ = false;
  std::size_t head_bytes_ = 0;
  std::size_t lines_ = 0;
  std::string line_;
};

} // namespace

// The keep-alive loop of cpp-httplib, with the checked stream, and a wait for the next request that notices
// a stop (the listening socket closed) within 20 ms.
void tuned_server::watch_deadlines(std::chrono::milliseconds precision) {
  watch_ = std::make_unique<deadline_watch>(precision);
}

bool tuned_server::process_and_close_socket(socket_t sock) {
  auto* watched = watch_ ? &watch_->attach(sock) : nullptr;
  guarded_stream stream(sock, limits_, watched);
  bool ok = false;
  for (auto left = limits_.keep_alive_max_requests; left > 0; --left) {
    auto idle_until = std::chrono::steady_clock::now() + limits_.keep_alive_timeout;
    bool ready = stream.has_buffered();
    while (!ready && svr_sock_ != INVALID_SOCKET && std::chrono::steady_clock::now() < idle_until)
      ready = wait_for(sock, POLLIN, std::chrono::milliseconds(20));
    if (!ready || svr_sock_ == INVALID_SOCKET)
      break;
    stream.start_request();
    bool closed = false;
    ok = process_request(stream, left == 1, closed, nullptr);
    if (!ok || closed || stream.refused())
      break;
  }
  if (watched)
    watch_->detach(*watched);
  ::shutdown(sock, SHUT_RDWR);
  ::close(sock);
  return ok;
}

} // namespace plugnode::plugs
