// body_flood: the body flood of docs/robustness.md against a running server, from 127.0.x.y addresses, for
// a bounded time. HOGS clients each send 3/4 of a SIZE_MB body fast, then one byte every 2 s (holding the
// server's memory if it buffers bodies whole); after 2 s, UPLOADERS honest clients send whole bodies of the
// same size (half chunked) as fast as the server takes them. Meanwhile a fresh client sends GET / every
// 100 ms, and the server's RSS (PID) is sampled. Prints RSS at start and its peak, the slowest and median
// GET /, and what each kind of client was answered; an uploader's 200 must carry its body's digest
// ("length sha256", as bench_http_server's POST /digest answers), any other 2xx-4xx says only that the
// body was read whole (a route that does not exist answers 404 after reading it).
//   bench_http_body_flood PORT PID [HOGS=200] [SIZE_MB=8] [UPLOADERS=20] [SECONDS=60] [TARGET=/digest]
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "plugnode/test/body_flood.hpp"
#include "plugnode/test/ports.hpp"

using namespace std::chrono_literals;
using plugnode::test::upload;
using plugnode::test::upload_plan;
using steady = std::chrono::steady_clock;

namespace {

// One GET / on a fresh connection from 127.0.0.2; its time in ms, or -1 without an answer within 2 s.
long get_root_ms(std::uint16_t port) {
  auto start = steady::now();
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  auto from = plugnode::test::ipv4_address("127.0.0.2", 0);
  auto to = plugnode::test::ipv4_address("127.0.0.1", port);
  std::string request = "GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  bool answered = false;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&from), sizeof from) == 0 &&
      ::connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0 &&
      ::send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
    pollfd p{fd, POLLIN, 0};
    char buffer[512];
    answered = ::poll(&p, 1, 2000) == 1 && ::recv(fd, buffer, sizeof buffer, 0) > 0;
  }
  ::close(fd);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start).count();
  return answered ? ms : -1;
}

std::string address(int n) {
  return "127.0." + std::to_string(1 + n / 250) + "." + std::to_string(1 + n % 250);
}

// What the clients [first, last) of `clients` were answered.
void report(const char* kind, const std::vector<std::unique_ptr<upload>>& clients, std::size_t first,
            std::size_t last, bool digests) {
  std::map<int, int> statuses;
  int intact = 0, corrupt = 0;
  for (auto i = first; i < last; ++i) {
    const auto& u = clients[i];
    ++statuses[u->status()];
    if (digests && u->status() == 200)
      ++(u->answer_body() == plugnode::test::planned_digest(u->plan()) ? intact : corrupt);
  }
  std::printf("%s:", kind);
  for (auto [status, count] : statuses)
    std::printf(" %d x %s", count, status == 0 ? "no answer" : std::to_string(status).c_str());
  if (digests)
    std::printf("; digests intact %d, wrong %d", intact, corrupt);
  std::printf("\n");
}

} // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: bench_http_body_flood PORT PID [HOGS] [SIZE_MB] [UPLOADERS] [SECONDS] [TARGET]\n");
    return 2;
  }
  auto port = static_cast<std::uint16_t>(std::stoi(argv[1]));
  int pid = std::stoi(argv[2]);
  int hogs = argc > 3 ? std::stoi(argv[3]) : 200;
  std::size_t size = (argc > 4 ? std::stoul(argv[4]) : 8) << 20;
  int uploaders = argc > 5 ? std::stoi(argv[5]) : 20;
  auto seconds = std::chrono::seconds(argc > 6 ? std::stoi(argv[6]) : 60);
  std::string target = argc > 7 ? argv[7] : "/digest";
  plugnode::test::planned_digest({}); // the shared pattern, before the clock starts

  auto rss_start = plugnode::test::rss_bytes(pid);
  std::atomic<bool> running{true};
  std::atomic<std::size_t> rss_peak{rss_start};
  std::vector<long> probes;
  std::thread probe([&] {
    while (running) {
      probes.push_back(get_root_ms(port));
      rss_peak = std::max(rss_peak.load(), plugnode::test::rss_bytes(pid));
      std::this_thread::sleep_for(100ms);
    }
  });

  auto start = steady::now();
  std::vector<std::unique_ptr<upload>> clients;
  for (int i = 0; i < hogs; ++i)
    clients.push_back(std::make_unique<upload>(
        port, upload_plan{address(i), size, static_cast<std::size_t>(i), i % 2 == 1, true, 2000ms, target}));
  plugnode::test::run_uploads(clients, start + 2s);
  for (int i = 0; i < uploaders; ++i)
    clients.push_back(std::make_unique<upload>(port, upload_plan{address(hogs + i), size,
                                                                 static_cast<std::size_t>(1000 + i),
                                                                 i % 2 == 1, false, 0ms, target}));
  plugnode::test::run_uploads(clients, start + seconds);
  running = false;
  probe.join();

  auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(steady::now() - start).count();
  std::vector<long> answered;
  for (auto ms : probes)
    if (ms >= 0)
      answered.push_back(ms);
  std::sort(answered.begin(), answered.end());
  std::printf("body flood: %d hogs and %d uploaders of %zu MB for %lld ms\n", hogs, uploaders, size >> 20,
              static_cast<long long>(elapsed));
  std::printf("server RSS: %zu MB at start, peak %zu MB\n", rss_start >> 20, rss_peak.load() >> 20);
  std::printf("GET / on a fresh connection: %zu probes, median %ld ms, slowest %ld ms, unanswered %zu\n",
              answered.size(), answered.empty() ? -1 : answered[answered.size() / 2],
              answered.empty() ? -1 : answered.back(), probes.size() - answered.size());
  auto hog_count = static_cast<std::size_t>(hogs);
  report("hogs", clients, 0, hog_count, false);
  report("uploaders", clients, hog_count, clients.size(), target == "/digest");
  return 0;
}
