// fairness_probe: opens N keep-alive connections to 127.0.0.1:PORT and sends GET / on each in a loop for
// SECONDS, then prints how many responses each connection got: "connections=N min=.. median=.. max=..
// starved=..". wrk hides a connection that never gets an answer; this does not.
#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>
#include <vector>

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: fairness_probe PORT CONNECTIONS SECONDS\n";
    return 2;
  }
  int port = std::stoi(argv[1]);
  auto connections = static_cast<std::size_t>(std::stoi(argv[2]));
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(std::stoi(argv[3]));
  std::vector<long> counts(connections, 0);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < connections; ++i)
    threads.emplace_back([&, i] {
      httplib::Client cli("127.0.0.1", port);
      cli.set_keep_alive(true);
      cli.set_connection_timeout(std::chrono::seconds(2));
      cli.set_read_timeout(std::chrono::seconds(2));
      while (std::chrono::steady_clock::now() < until) {
        auto res = cli.Get("/");
        if (res && res->status == 200)
          ++counts[i];
      }
    });
  for (auto& t : threads)
    t.join();
  auto sorted = counts;
  std::sort(sorted.begin(), sorted.end());
  auto starved = std::count(counts.begin(), counts.end(), 0L);
  std::cout << "connections=" << connections << " min=" << sorted.front()
            << " median=" << sorted[sorted.size() / 2] << " max=" << sorted.back() << " starved=" << starved
            << "\n";
  return starved == 0 ? 0 : 1;
}
