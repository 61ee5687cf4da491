// The routes of a running node over a real socket: what clients, probes and Prometheus see, /crash in a
// loop with the node's memory flat, and SIGTERM in the middle of traffic.
#include <arpa/inet.h>
#include <httplib.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <thread>

#include "plugnode/test/ports.hpp"
#include "plugnode/test/raw_client.hpp"
#include "running_node.hpp"

using namespace plugnode::test;
using namespace std::chrono_literals;

namespace {
httplib::Client client_of(running_node& node) {
  httplib::Client client(node.address(), node.http_port());
  client.set_read_timeout(5, 0);
  return client;
}
} // namespace

TEST_CASE("every route over a socket", "[routes]") {
  running_node node("app", "127.0.0.1", free_port(),
                    {{"CHECK_HOST", "127.0.0.1:9"}, {"CHECK_INIT_DELAY", "10ms"}});
  auto client = client_of(node);

  auto root = client.Get("/");
  REQUIRE(root);
  CHECK(root->status == 200);
  CHECK_THAT(root->body, Catch::StartsWith("Hello, World!\n") && Catch::Contains("GET /cluster"));
  CHECK(root->has_header("x-request-id"));

  auto hello = raw_get(node.address(), node.http_port(), "/J%C3%B6rg%0D%0AX-Evil:%201");
  CHECK_THAT(hello, Catch::StartsWith("HTTP/1.1 200 OK\r\n"));
  CHECK_THAT(hello, Catch::Contains("\r\nx-greeting: Hello, Jörg%0D%0AX-Evil: 1!\r\n"));
  CHECK_THAT(hello, !Catch::Contains("\r\nX-Evil: 1\r\n"));
  CHECK_THAT(hello, Catch::EndsWith("\r\n\r\nHello, Jörg\r\nX-Evil: 1!\n"));

  auto head = client.Head("/Ada");
  REQUIRE(head);
  CHECK(head->status == 200);
  CHECK(head->body.empty());

  CHECK(client.Get("/healthz")->status == 200);
  CHECK(eventually([&] { return client.Get("/readyz")->status == 200; }, 5s));

  CHECK(
      eventually([&] { return client.Get("/status")->body.rfind("down: http://127.0.0.1:9/", 0) == 0; }, 5s));
  auto status = client.Get("/status", {{"Accept", "application/json"}});
  auto doc = nlohmann::json::parse(status->body);
  CHECK(doc["state"] == "down");
  CHECK(doc["reason"] == "connection refused or unreachable");

  auto cluster = nlohmann::json::parse(client.Get("/cluster")->body);
  CHECK(cluster["node"] == node.name());
  CHECK(cluster["peers"].is_array());

  auto crash = client.Get("/crash");
  CHECK(crash->status == 500);
  CHECK(crash->body == "Internal Server Error\n");
  CHECK(client.Get("/")->status == 200);
  CHECK_THAT(node.proc().output(), Catch::Contains("crash report") && Catch::Contains("GET /crash raises"));

  CHECK(client.Post("/Ada", "", "text/plain")->status == 405);
  CHECK(client.Get("/a/b")->status == 404);
  CHECK(client.Get("/%zz")->status == 400);
}

TEST_CASE("/metrics passes promtool check metrics", "[routes]") {
  running_node node("app", "127.0.0.1", free_port(),
                    {{"CHECK_HOST", "127.0.0.1:9"}, {"CHECK_INIT_DELAY", "10ms"}});
  auto client = client_of(node);
  client.Get("/Ada");
  client.Get("/crash");
  CHECK(eventually(
      [&] { return client.Get("/metrics")->body.find("http_check_total{") != std::string::npos; }, 5s));
  auto metrics = client.Get("/metrics");
  REQUIRE(metrics->status == 200);
  for (auto name :
       {"plugnode_http_requests_total", "http_check_duration_seconds_bucket", "process_resident_memory_bytes",
        "process_cpu_seconds_total", "process_open_fds", "process_threads", "process_start_time_seconds"}) {
    INFO(name);
    CHECK_THAT(metrics->body, Catch::Contains(name));
  }
  char path[] = "/tmp/plugnode-metrics-XXXXXX";
  int fd = ::mkstemp(path);
  REQUIRE(fd >= 0);
  ::close(fd);
  std::ofstream(path) << metrics->body;
  std::string command = std::string("promtool check metrics < ") + path + " 2>&1";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  char buf[512];
  while (std::fgets(buf, sizeof buf, pipe) != nullptr)
    out += buf;
  int rc = ::pclose(pipe);
  std::remove(path);
  INFO(out);
  CHECK(rc == 0);
}

TEST_CASE("/crash 1,000 times: 500 each, the node keeps serving, memory flat", "[routes][slow]") {
  env_map env{{"LOG_LEVEL", "error"}};
  long allowed_growth_kb = 2048;
#ifdef __SANITIZE_ADDRESS__
  allowed_growth_kb = 8192; // its shadow memory and allocator metadata grow with the heap they cover
  // AddressSanitizer keeps freed memory in quarantine (256 MB by default): RSS would grow by design.
  const char* asan = std::getenv("ASAN_OPTIONS");
  env["ASAN_OPTIONS"] = std::string(asan ? asan : "") + ":quarantine_size_mb=0";
#endif
  running_node node("app", "127.0.0.1", free_port(), env);
  auto client = client_of(node);
  client.set_keep_alive(true);
  auto crash = [&](int times) {
    int failed = 0;
    for (int i = 0; i < times; ++i) {
      auto res = client.Get("/crash");
      failed += (!res || res->status != 500) ? 1 : 0;
    }
    return failed;
  };
  CHECK(crash(200) == 0); // warm-up: pools, caches and allocator arenas reach their size
  auto before = rss_kb(node.proc().pid());
  CHECK(crash(1000) == 0);
  auto after = rss_kb(node.proc().pid());
  INFO("RSS before " << before << " kB, after " << after << " kB");
  CHECK(after - before < allowed_growth_kb);
  CHECK(client.Get("/")->status == 200);
  CHECK(node.proc().running());
}

TEST_CASE("SIGTERM during load: requests in flight finish, the node exits 0", "[routes]") {
  running_node node("app", "127.0.0.1", free_port());
  std::atomic<bool> stop{false};
  std::atomic<int> ok{0};
  std::atomic<int> bad_status{0};
  std::vector<std::thread> clients;
  for (int i = 0; i < 4; ++i)
    clients.emplace_back([&] {
      auto client = client_of(node);
      for (int n = 0; n < 20000 && !stop; ++n) {
        auto res = client.Get("/metrics");
        if (!res)
          break; // refused or closed once the node stops accepting
        (res->status == 200 ? ok : bad_status)++;
      }
    });
  REQUIRE(eventually([&] { return ok > 200; }, 10s));
  node.proc().signal(SIGTERM);
  auto code = node.proc().wait(15s);
  stop = true;
  for (auto& t : clients)
    t.join();
  CHECK(code == 0);
  CHECK(bad_status == 0); // no half-served request: every answer that came was complete and a 200
  CHECK_THAT(node.proc().output(), Catch::Contains("received SIGTERM") && Catch::Contains("stopped"));
}

TEST_CASE("SIGTERM while a request is half received: it is still answered, then the node exits 0",
          "[routes]") {
  running_node node("app", "127.0.0.1", free_port());
  raw_client client(node.address(), node.http_port());
  REQUIRE(client.connected());
  // Headers and half the body: the request is in the server's hands when the signal arrives.
  REQUIRE(client.send("POST /greetings HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nhello"));
  std::this_thread::sleep_for(200ms);
  node.proc().signal(SIGTERM);
  std::this_thread::sleep_for(300ms);
  CHECK(node.proc().running()); // waiting for the request in flight
  REQUIRE(client.send("world"));
  CHECK_THAT(client.read_to_end(5s), Catch::StartsWith("HTTP/1.1 405"));
  CHECK(node.proc().wait(15s) == 0);
}
