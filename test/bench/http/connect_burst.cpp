// connect_burst: N clients connecting at once, as a rolling restart behind a load balancer does. Starts N
// non-blocking connects to 127.0.0.1:PORT in one go (four threads, from 127.0.0.10-59, so source ports never
// run out), sends GET / on each as soon as it is connected, and times each client from its connect() to the
// first byte of its answer; at most SECONDS in all. A client whose SYN or handshake the listen queue dropped
// waits for a retransmit (1 s, then 3 s ...), so the worst first answer shows every drop. Reads the kernel's
// listen-queue counters (nstat's TcpExtListenOverflows and TcpExtListenDrops, from /proc/net/netstat; they
// count for the whole network namespace) before and after. Prints one line:
//   clients=N answered=A worst_first=T ms median=M ms p99=P ms overflows=O drops=D
//   connect_burst PORT N [SECONDS=10]
#include <netinet/in.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "plugnode/test/ports.hpp"

namespace {

using steady = std::chrono::steady_clock;

// A TcpExt counter of /proc/net/netstat (a line of names, then a line of values).
long tcp_ext(const std::string& name) {
  std::ifstream netstat("/proc/net/netstat");
  std::string names, values;
  while (std::getline(netstat, names) && std::getline(netstat, values)) {
    if (names.rfind("TcpExt:", 0) != 0)
      continue;
    std::istringstream n(names), v(values);
    std::string key, value;
    while (n >> key && v >> value)
      if (key == name)
        return std::stol(value);
  }
  return -1;
}

struct client {
  int fd = -1;
  steady::time_point started;
  bool sent = false;
  double answered_ms = -1;
};

} // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: connect_burst PORT N [SECONDS]\n");
    return 2;
  }
  auto port = static_cast<std::uint16_t>(std::stoi(argv[1]));
  auto count = static_cast<std::size_t>(std::stoul(argv[2]));
  auto deadline = steady::now() + std::chrono::seconds(argc > 3 ? std::stoi(argv[3]) : 10);
  rlimit limit{};
  ::getrlimit(RLIMIT_NOFILE, &limit);
  limit.rlim_cur = limit.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &limit);

  auto overflows = tcp_ext("ListenOverflows");
  auto drops = tcp_ext("ListenDrops");
  int epoll_fd = ::epoll_create1(EPOLL_CLOEXEC);
  std::vector<client> clients(count);
  auto server = plugnode::test::ipv4_address("127.0.0.1", port);
  // Four threads connect a quarter each, so the burst comes faster than one thread's connect() calls.
  std::atomic<bool> failed{false};
  auto open = [&](std::size_t first, std::size_t last) {
    for (auto i = first; i < last; ++i) {
      auto& c = clients[i];
      c.fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
      auto source = plugnode::test::ipv4_address("127.0.0." + std::to_string(10 + i % 50), 0);
      if (c.fd < 0 || ::bind(c.fd, reinterpret_cast<sockaddr*>(&source), sizeof source) != 0) {
        failed = true;
        return;
      }
      c.started = steady::now();
      if (::connect(c.fd, reinterpret_cast<sockaddr*>(&server), sizeof server) != 0 && errno != EINPROGRESS)
        continue; // counted as unanswered
      epoll_event ev{};
      ev.events = EPOLLOUT | EPOLLIN;
      ev.data.u64 = i;
      ::epoll_ctl(epoll_fd, EPOLL_CTL_ADD, c.fd, &ev);
    }
  };
  std::vector<std::thread> openers;
  for (std::size_t t = 0; t < 4; ++t)
    openers.emplace_back(open, count * t / 4, count * (t + 1) / 4);
  for (auto& t : openers)
    t.join();
  if (failed) {
    std::fprintf(stderr, "connect_burst: cannot open %zu clients (open-files limit?)\n", count);
    return 1;
  }
  const std::string request = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";
  std::size_t answered = 0;
  std::vector<epoll_event> events(1024);
  while (answered < count && steady::now() < deadline) {
    int n = ::epoll_wait(epoll_fd, events.data(), static_cast<int>(events.size()), 50);
    for (int e = 0; e < n; ++e) {
      auto& c = clients[events[e].data.u64];
      if (!c.sent && (events[e].events & EPOLLOUT) != 0) {
        c.sent = ::send(c.fd, request.data(), request.size(), MSG_NOSIGNAL) ==
                 static_cast<ssize_t>(request.size());
        epoll_event ev{};
        ev.events = EPOLLIN;
        ev.data.u64 = events[e].data.u64;
        ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, c.fd, &ev);
      }
      char byte[512];
      if ((events[e].events & EPOLLIN) != 0 && c.answered_ms < 0 && ::recv(c.fd, byte, sizeof byte, 0) > 0) {
        c.answered_ms = std::chrono::duration<double, std::milli>(steady::now() - c.started).count();
        ++answered;
        ::epoll_ctl(epoll_fd, EPOLL_CTL_DEL, c.fd, nullptr);
      }
    }
  }
  std::vector<double> times;
  for (auto& c : clients) {
    if (c.answered_ms >= 0)
      times.push_back(c.answered_ms);
    ::close(c.fd);
  }
  std::sort(times.begin(), times.end());
  auto at = [&](double q) {
    return times.empty() ? -1.0 : times[static_cast<std::size_t>(q * (times.size() - 1))];
  };
  std::printf(
      "clients=%zu answered=%zu worst_first=%.0f ms median=%.0f ms p99=%.0f ms overflows=%ld drops=%ld\n",
      count, answered, times.empty() ? -1.0 : times.back(), at(0.5), at(0.99),
      tcp_ext("ListenOverflows") - overflows, tcp_ext("ListenDrops") - drops);
  return answered == count ? 0 : 1;
}
