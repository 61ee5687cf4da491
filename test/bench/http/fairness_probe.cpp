// fairness_probe: opens N keep-alive connections to 127.0.0.1:PORT from one epoll loop (so 10,000 cost no
// thread each), then sends GET / on every one of them at once and again on each as its answer arrives, for
// SECONDS; prints what each connection got:
//   connections=N starved=S worst_first=T min=.. median=.. max=.. errors=E reconnects=R never_connected=U
//   connect=C
// starved: connections that never got an answer; worst_first: the longest wait from a connection's first
// request to its first answer; errors: requests that got EOF or a reset instead of an answer (what wrk
// calls read errors) plus failed connects; connect: how long opening the N connections took (at most 10 s;
// one still not connected then counts as starved unless it connects and is answered later).
// wrk hides a connection that never gets an answer; this does not. Connections are opened before the first
// request so that what is measured is the server serving N open connections, not the kernel's SYN retries
// under a storm of connects to a busy listener.
// With `idle`, each connection sends one GET and then holds still; a line "held ..." is printed as soon as
// every connection has answered (or at the end), so a script can read the server's memory meanwhile.
// Raises its own open-files limit to the hard limit. Exit code 0 when no connection starved.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

constexpr std::string_view request = "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
// Connects in progress at once: not one burst of 10,000 SYNs that would overflow any listen queue.
constexpr std::size_t connect_window = 256;
constexpr std::chrono::seconds connect_bound{10};

struct connection {
  int fd = -1;
  bool connecting = false;
  bool outstanding = false; // a request was sent and its answer has not arrived
  std::size_t sent = 0;     // bytes of the outstanding request written so far
  std::string in;
  long answers = 0;
  bool ever_connected = false;
  std::optional<clock_type::time_point> first_request;
  std::optional<double> first_answer; // seconds from the first request
};

// One response at the front of `in`: its length and whether the server closes after it; nullopt while
// incomplete. A response this probe cannot frame (chunked) counts as complete up to its head.
struct framed {
  std::size_t length;
  bool ok;
  bool close;
};

bool header_is(std::string_view line, std::string_view name) {
  if (line.size() <= name.size() || line[name.size()] != ':')
    return false;
  for (std::size_t i = 0; i < name.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != name[i])
      return false;
  return true;
}

std::string_view value_of(std::string_view line) {
  auto v = line.substr(line.find(':') + 1);
  while (!v.empty() && (v.front() == ' ' || v.front() == '\t'))
    v.remove_prefix(1);
  return v;
}

std::optional<framed> frame(const std::string& in) {
  auto end = in.find("\r\n\r\n");
  if (end == std::string::npos)
    return std::nullopt;
  std::string_view head(in.data(), end);
  framed f{end + 4, head.substr(0, 12) == "HTTP/1.1 200" || head.substr(0, 12) == "HTTP/1.0 200", false};
  std::size_t body = 0;
  for (std::size_t pos = head.find("\r\n"); pos != std::string_view::npos;) {
    auto next = head.find("\r\n", pos + 2);
    auto line =
        head.substr(pos + 2, next == std::string_view::npos ? std::string_view::npos : next - pos - 2);
    if (header_is(line, "content-length"))
      body = std::stoul(std::string(value_of(line)));
    else if (header_is(line, "connection") && value_of(line).substr(0, 5) == "close")
      f.close = true;
    pos = next;
  }
  if (in.size() < f.length + body)
    return std::nullopt;
  f.length += body;
  return f;
}

class probe {
public:
  probe(std::uint16_t port, std::size_t count, bool idle) : conns_(count), idle_(idle) {
    addr_.sin_family = AF_INET;
    addr_.sin_port = htons(port);
    addr_.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    epoll_ = ::epoll_create1(0);
    for (std::size_t i = 0; i < count; ++i)
      to_connect_.push_back(i);
  }

  // Opens every connection (bounded), then requests for `seconds`.
  void run(clock_type::duration seconds) {
    auto start = clock_type::now();
    loop(start + connect_bound, [&] { return connected_ == conns_.size(); });
    connect_time_ = std::chrono::duration<double>(clock_type::now() - start).count();
    sending_ = true;
    for (std::uint32_t i = 0; i < conns_.size(); ++i)
      if (conns_[i].fd >= 0 && !conns_[i].connecting)
        send_request(i);
    loop(clock_type::now() + seconds, [] { return false; });
    if (idle_ && !held_printed_)
      print_held();
  }

  void report() const {
    std::vector<long> counts;
    double worst_first = 0;
    std::size_t starved = 0;
    std::size_t never_connected = 0;
    for (const auto& c : conns_) {
      never_connected += c.ever_connected ? 0 : 1;
      counts.push_back(c.answers);
      if (c.answers == 0)
        ++starved;
      else
        worst_first = std::max(worst_first, *c.first_answer);
    }
    std::sort(counts.begin(), counts.end());
    std::printf("connections=%zu starved=%zu worst_first=%.3fs min=%ld median=%ld max=%ld errors=%ld "
                "reconnects=%ld never_connected=%zu connect=%.3fs\n",
                conns_.size(), starved, worst_first, counts.front(), counts[counts.size() / 2], counts.back(),
                errors_, reconnects_, never_connected, connect_time_);
  }

  bool starved() const {
    return std::any_of(conns_.begin(), conns_.end(), [](const connection& c) { return c.answers == 0; });
  }

  // Abortive close: the probe is done, and a reset leaves no TIME_WAIT behind to use up the client's ports
  // over repeated runs.
  ~probe() {
    linger abort{1, 0};
    for (auto& c : conns_)
      if (c.fd >= 0) {
        ::setsockopt(c.fd, SOL_SOCKET, SO_LINGER, &abort, sizeof abort);
        ::close(c.fd);
      }
    ::close(epoll_);
  }

private:
  template <class Done> void loop(clock_type::time_point until, Done done) {
    std::vector<epoll_event> events(1024);
    for (auto now = clock_type::now(); now < until && !done(); now = clock_type::now()) {
      start_connects();
      auto wait_ms = std::chrono::duration_cast<std::chrono::milliseconds>(until - now).count();
      int n = ::epoll_wait(epoll_, events.data(), static_cast<int>(events.size()),
                           static_cast<int>(std::min<long long>(wait_ms + 1, 50)));
      for (int i = 0; i < n; ++i)
        handle(events[static_cast<std::size_t>(i)].data.u32, events[static_cast<std::size_t>(i)].events);
      if (idle_ && !held_printed_ && answered_ == conns_.size())
        print_held();
    }
  }

  void start_connects() {
    while (connecting_ < connect_window && !to_connect_.empty()) {
      auto i = to_connect_.front();
      to_connect_.pop_front();
      auto& c = conns_[i];
      c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      if (c.fd < 0) {
        std::perror("fairness_probe: socket");
        std::exit(2);
      }
      int yes = 1;
      ::setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
      if (::connect(c.fd, reinterpret_cast<const sockaddr*>(&addr_), sizeof addr_) != 0 &&
          errno != EINPROGRESS) {
        ++errors_;
        ::close(c.fd);
        c.fd = -1;
        to_connect_.push_back(i);
        return; // refused now: try again on the next round rather than spin
      }
      c.connecting = true;
      ++connecting_;
      watch(i, EPOLL_CTL_ADD, EPOLLOUT);
    }
  }

  void watch(std::uint32_t i, int op, std::uint32_t what) {
    epoll_event ev{};
    ev.events = what;
    ev.data.u32 = i;
    ::epoll_ctl(epoll_, op, conns_[i].fd, &ev);
  }

  void handle(std::uint32_t i, std::uint32_t what) {
    auto& c = conns_[i];
    if (c.connecting) {
      c.connecting = false;
      --connecting_;
      int err = 0;
      socklen_t len = sizeof err;
      ::getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len);
      if (err != 0 || (what & (EPOLLERR | EPOLLHUP))) {
        ++errors_;
        reconnect(i);
        return;
      }
      if (!c.ever_connected)
        ++connected_;
      c.ever_connected = true;
      if (sending_)
        send_request(i);
      else
        watch(i, EPOLL_CTL_MOD, EPOLLIN);
      return;
    }
    if (what & EPOLLOUT) {
      send_request(i);
      return;
    }
    char buf[16384];
    ssize_t n = ::recv(c.fd, buf, sizeof buf, 0);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
      return;
    if (n <= 0) {
      if (c.outstanding)
        ++errors_;
      if (idle_ && !c.outstanding)
        closed_by_server(i);
      else
        reconnect(i);
      return;
    }
    c.in.append(buf, static_cast<std::size_t>(n));
    while (auto f = frame(c.in)) {
      c.in.erase(0, f->length);
      c.outstanding = false;
      if (f->ok) {
        if (c.answers++ == 0) {
          c.first_answer = std::chrono::duration<double>(clock_type::now() - *c.first_request).count();
          ++answered_;
        }
      }
      if (f->close) {
        reconnect(i);
        return;
      }
    }
    if (!c.outstanding && !idle_)
      send_request(i);
  }

  void send_request(std::uint32_t i) {
    auto& c = conns_[i];
    if (!c.outstanding) {
      c.outstanding = true;
      c.sent = 0;
      if (!c.first_request)
        c.first_request = clock_type::now();
    }
    ssize_t n = ::send(c.fd, request.data() + c.sent, request.size() - c.sent, MSG_NOSIGNAL);
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
      ++errors_;
      reconnect(i);
      return;
    }
    if (n > 0)
      c.sent += static_cast<std::size_t>(n);
    watch(i, EPOLL_CTL_MOD, c.sent < request.size() ? EPOLLOUT : EPOLLIN);
  }

  void reconnect(std::uint32_t i) {
    closed_by_server(i);
    ++reconnects_;
    to_connect_.push_back(i);
  }

  void closed_by_server(std::uint32_t i) {
    auto& c = conns_[i];
    ::close(c.fd);
    c.fd = -1;
    c.outstanding = false;
    c.in.clear();
  }

  void print_held() {
    std::size_t open = 0;
    for (const auto& c : conns_)
      open += c.fd >= 0 ? 1 : 0;
    std::printf("held connections=%zu answered=%zu open=%zu\n", conns_.size(), answered_, open);
    std::fflush(stdout);
    held_printed_ = true;
  }

  std::vector<connection> conns_;
  bool idle_;
  sockaddr_in addr_{};
  int epoll_ = -1;
  std::deque<std::uint32_t> to_connect_;
  std::size_t connecting_ = 0;
  std::size_t connected_ = 0;
  bool sending_ = false;
  double connect_time_ = 0;
  std::size_t answered_ = 0;
  long errors_ = 0;
  long reconnects_ = 0;
  bool held_printed_ = false;
};

// The soft open-files limit raised to the hard one; false when `needed` descriptors still do not fit.
bool raise_fd_limit(std::size_t needed) {
  rlimit lim{};
  ::getrlimit(RLIMIT_NOFILE, &lim);
  lim.rlim_cur = lim.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &lim);
  ::getrlimit(RLIMIT_NOFILE, &lim);
  if (lim.rlim_cur != RLIM_INFINITY && lim.rlim_cur < needed) {
    std::cerr << "fairness_probe: " << needed << " descriptors needed, the open-files limit is "
              << lim.rlim_cur << "\n";
    return false;
  }
  return true;
}

} // namespace

int main(int argc, char** argv) {
  bool idle = argc == 5 && std::string(argv[4]) == "idle";
  if (argc != 4 && !idle) {
    std::cerr << "usage: fairness_probe PORT CONNECTIONS SECONDS [idle]\n";
    return 2;
  }
  auto port = static_cast<std::uint16_t>(std::stoi(argv[1]));
  auto connections = static_cast<std::size_t>(std::stoul(argv[2]));
  auto seconds = std::stod(argv[3]);
  if (connections == 0 || connections > 60000 || seconds <= 0 || seconds > 600) {
    std::cerr << "fairness_probe: CONNECTIONS must be 1-60000 and SECONDS 0-600\n";
    return 2;
  }
  if (!raise_fd_limit(connections + 16))
    return 2;
  probe p(port, connections, idle);
  p.run(std::chrono::duration_cast<clock_type::duration>(std::chrono::duration<double>(seconds)));
  p.report();
  return p.starved() ? 1 : 0;
}
