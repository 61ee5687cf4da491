// The HTTP server's connection state machine over loopback sockets: a request runs owning nothing, and its
// connection's owner answers for it at the deadline; the deadline and HEAD are decided once and carried
// with the request; the clocks; a stop carried out by the workers.
#include "http_server.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <future>
#include <thread>

#include "plugnode/test/raw_client.hpp"

using namespace plugnode::plugs;
using namespace std::chrono_literals;
using plugnode::test::raw_client;

namespace {

using clock = std::chrono::steady_clock;

endpoint_options loopback(std::size_t workers = 2) {
  endpoint_options o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.workers = workers;
  return o;
}

// A server on its own thread for one test.
struct running {
  http_server server;
  std::thread thread;
  running(endpoint_options o, request_work h) : server(std::move(o), on_workers(std::move(h))) {
    server.bind();
    thread = std::thread([this] { server.serve(); });
  }
  ~running() {
    server.stop();
    thread.join();
  }
};

void answer_ok(http_request& r, const request_context&, http_response& res) {
  res.body = "ok " + r.target;
}

std::string get(const std::string& path, bool close = false) {
  return "GET " + path + " HTTP/1.1\r\nHost: x\r\n" + (close ? "Connection: close\r\n" : "") + "\r\n";
}

} // namespace

TEST_CASE("a handler past its deadline: the connection's owner answers 503 while the handler still runs, "
          "and its late response goes nowhere",
          "[http_server]") {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> returned{0};
  auto o = loopback(2);
  o.deadline = 150ms;
  running s(o, [&](http_request& r, const request_context&, http_response& res) {
    if (r.target == "/stuck") {
      released.wait();
      res.body = "late";
      ++returned;
    } else {
      res.body = "ok";
    }
  });
  raw_client stuck("127.0.0.1", s.server.port());
  auto start = clock::now();
  stuck.send(get("/stuck"));
  auto bytes = stuck.read_to_end(3s);
  auto took = clock::now() - start;
  CHECK(bytes.rfind("HTTP/1.1 503 ", 0) == 0);
  CHECK(bytes.find("Connection: close") != std::string::npos);
  CHECK(stuck.closed());
  CHECK(took >= 140ms);
  CHECK(took < 1s);
  CHECK(returned == 0);
  CHECK(s.server.stats()->deadline_replies == 1);

  raw_client other("127.0.0.1", s.server.port()); // the other worker serves meanwhile
  other.send(get("/"));
  CHECK(other.read(17, 2s).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);

  release.set_value();
  auto until = clock::now() + 2s;
  while (returned == 0 && clock::now() < until)
    std::this_thread::sleep_for(5ms);
  CHECK(returned == 1);
  raw_client after("127.0.0.1", s.server.port()); // the stuck worker is back and serves again
  after.send(get("/", true));
  CHECK(after.read_to_end(2s).find("\r\n\r\nok") != std::string::npos);
}

TEST_CASE("the deadline and HEAD are decided once by the server and carried with the request",
          "[http_server]") {
  auto o = loopback(1);
  o.deadline = 2s;
  std::atomic<long long> left_ms{0};
  std::atomic<bool> head{false};
  running s(o, [&](http_request& r, const request_context&, http_response& res) {
    left_ms = std::chrono::duration_cast<std::chrono::milliseconds>(r.deadline - clock::now()).count();
    head = r.head;
    res.body = "a body the server leaves out for HEAD";
  });
  raw_client client("127.0.0.1", s.server.port());
  client.send("HEAD / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  auto bytes = client.read_to_end(2s);
  CHECK(head);
  CHECK(left_ms > 1800);
  CHECK(left_ms <= 2000);
  CHECK(bytes.find("Content-Length: 37\r\n") != std::string::npos);
  CHECK(bytes.size() == bytes.find("\r\n\r\n") + 4);
}

TEST_CASE("the clocks: an idle connection is closed, a head that does not arrive in time gets 408",
          "[http_server]") {
  auto o = loopback(1);
  o.idle_timeout = 200ms;
  o.head_timeout = 300ms;
  running s(o, answer_ok);

  raw_client idle("127.0.0.1", s.server.port());
  idle.send(get("/"));
  CHECK(idle.read(17, 2s) == "HTTP/1.1 200 OK\r\n");
  auto start = clock::now();
  idle.read_to_end(2s);
  CHECK(idle.closed());
  CHECK(clock::now() - start >= 150ms);
  CHECK(clock::now() - start < 1s);

  raw_client slow("127.0.0.1", s.server.port());
  slow.send("GET / HTTP/1.1\r\nHo");
  start = clock::now();
  auto bytes = slow.read_to_end(2s);
  CHECK(bytes.rfind("HTTP/1.1 408 ", 0) == 0);
  CHECK(slow.closed());
  CHECK(clock::now() - start >= 250ms);
  CHECK(s.server.stats()->head_timeouts == 1);
}

TEST_CASE("stop is carried out by the workers: with the only one busy, what is queued is still accepted and "
          "answered with Connection: close",
          "[http_server]") {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<bool> entered{false};
  running s(loopback(1), [&](http_request& r, const request_context&, http_response& res) {
    if (r.target == "/busy") {
      entered = true;
      released.wait();
    }
    res.body = "ok";
  });
  raw_client busy("127.0.0.1", s.server.port());
  busy.send(get("/busy"));
  while (!entered)
    std::this_thread::sleep_for(1ms);
  std::vector<std::unique_ptr<raw_client>> queued; // in the listen queue: the one worker is busy
  for (int i = 0; i < 3; ++i) {
    queued.push_back(std::make_unique<raw_client>("127.0.0.1", s.server.port()));
    queued.back()->send(get("/"));
  }
  auto stopped = std::async(std::launch::async, [&] { return s.server.stop(); });
  std::this_thread::sleep_for(100ms);
  CHECK(stopped.wait_for(0ms) == std::future_status::timeout); // it waits for the workers
  release.set_value();
  CHECK(stopped.get());
  auto bytes = busy.read_to_end(2s);
  CHECK(bytes.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(bytes.find("Connection: close") != std::string::npos);
  for (auto& q : queued) {
    bytes = q->read_to_end(2s);
    CHECK(bytes.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(bytes.find("Connection: close") != std::string::npos);
    CHECK(q->closed());
  }
}
