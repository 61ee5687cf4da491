// The HTTP server's connection state machine over loopback sockets: a request runs owning nothing, and its
// connection's owner answers for it at the deadline; the deadline and HEAD are decided once and carried
// with the request; the clocks; a stop carried out by the loops; requests answered on their event loop next
// to requests that go to the workers.
#include "http_server.hpp"

#include <catch2/catch.hpp>
#include <sys/socket.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>

#include "plugnode/test/raw_client.hpp"

using namespace plugnode::plugs;
using namespace std::chrono_literals;
using plugnode::test::raw_client;

namespace {

using clock = std::chrono::steady_clock;

endpoint_options loopback(std::size_t workers = 2, std::size_t loops = 0) {
  endpoint_options o;
  o.address = "127.0.0.1";
  o.port = 0;
  o.workers = workers;
  o.loops = loops;
  return o;
}

template <class Condition> bool wait_until(Condition done, std::chrono::milliseconds limit = 2s) {
  auto until = clock::now() + limit;
  while (!done() && clock::now() < until)
    std::this_thread::sleep_for(1ms);
  return done();
}

// A server on its own thread for one test: every request on the workers, or as `h` chooses.
struct on_loop_or_workers {};
struct running {
  http_server server;
  std::thread thread;
  running(endpoint_options o, request_work h) : running(std::move(o), on_workers(std::move(h)), {}) {}
  running(endpoint_options o, request_handler h, on_loop_or_workers) : server(std::move(o), std::move(h)) {
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

TEST_CASE(
    "stop is carried out by the loops: with the only worker busy, the requests waiting for it are still "
    "answered, with Connection: close",
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
  std::vector<std::unique_ptr<raw_client>> queued; // waiting for the one worker, which is busy
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

TEST_CASE("one loop: a request that may block waits for a worker while the loop answers its other "
          "connections' requests itself, even with every worker busy",
          "[http_server][loops]") {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> entered{0};
  std::atomic<bool> other_thread{false};
  auto loop_thread = std::this_thread::get_id();
  running s(
      loopback(1, 1),
      [&](http_request& r, const request_context&, http_response& res) -> request_work {
        loop_thread = std::this_thread::get_id(); // the handler itself always runs on the loop here
        if (r.target.rfind("/block", 0) != 0) {
          res.body = "inline " + r.target;
          return {};
        }
        return [&](http_request& w, const request_context&, http_response& answer) {
          other_thread = std::this_thread::get_id() != loop_thread;
          ++entered;
          released.wait();
          answer.body = "blocked " + w.target;
        };
      },
      on_loop_or_workers{});
  raw_client blocked("127.0.0.1", s.server.port());
  blocked.send(get("/block/1"));
  REQUIRE(wait_until([&] { return entered == 1; }));
  CHECK(other_thread);
  raw_client queued("127.0.0.1", s.server.port()); // the one worker is busy: this one waits for it
  queued.send(get("/block/2"));

  raw_client fast("127.0.0.1", s.server.port()); // on the same (only) loop
  auto start = clock::now();
  fast.send(get("/fast", true));
  auto bytes = fast.read_to_end(2s);
  CHECK(bytes.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(bytes.find("\r\n\r\ninline /fast") != std::string::npos);
  CHECK(clock::now() - start < 500ms);
  CHECK(queued.read(17, 100ms).empty());
  CHECK(entered == 1);

  release.set_value();
  CHECK(blocked.read(17, 2s) == "HTTP/1.1 200 OK\r\n");
  CHECK(queued.read(17, 2s) == "HTTP/1.1 200 OK\r\n");
  CHECK(entered == 2);
}

TEST_CASE("a request that never returns on its loop: a stand-in thread serves the loop's other connections "
          "and answers it 503 at its deadline",
          "[http_server][loops]") {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<bool> entered{false};
  auto o = loopback(1, 1);
  o.deadline = 700ms;
  running s(
      o,
      [&](http_request& r, const request_context&, http_response& res) -> request_work {
        if (r.target == "/stuck") { // a handler that said it never blocks, and blocks
          entered = true;
          released.wait();
        }
        res.body = "inline";
        return {};
      },
      on_loop_or_workers{});
  raw_client stuck("127.0.0.1", s.server.port());
  auto start = clock::now();
  stuck.send(get("/stuck"));
  REQUIRE(wait_until([&] { return entered.load(); }));

  raw_client other("127.0.0.1", s.server.port()); // on the stuck loop
  other.send(get("/"));
  CHECK(other.read(17, 2s) == "HTTP/1.1 200 OK\r\n");
  auto other_took = clock::now() - start;
  CHECK(other_took < 650ms); // served by the stand-in, before the stuck request's deadline

  auto bytes = stuck.read_to_end(3s);
  auto took = clock::now() - start;
  CHECK(bytes.rfind("HTTP/1.1 503 ", 0) == 0);
  CHECK(stuck.closed());
  CHECK(took >= 650ms);
  CHECK(took < 2s);
  CHECK(s.server.stats()->deadline_replies == 1);
  release.set_value();
}

TEST_CASE("stop drains the requests in flight on the loop and on the workers, each answered with "
          "Connection: close",
          "[http_server][loops]") {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<bool> on_worker{false}, on_loop{false};
  running s(
      loopback(1, 1),
      [&](http_request& r, const request_context&, http_response& res) -> request_work {
        if (r.target == "/loop") {
          on_loop = true;
          std::this_thread::sleep_for(150ms); // shorter than a loop stall
          res.body = "from the loop";
          return {};
        }
        return [&](http_request&, const request_context&, http_response& answer) {
          on_worker = true;
          released.wait();
          answer.body = "from a worker";
        };
      },
      on_loop_or_workers{});
  raw_client pooled("127.0.0.1", s.server.port());
  pooled.send(get("/pool"));
  REQUIRE(wait_until([&] { return on_worker.load(); }));
  raw_client looped("127.0.0.1", s.server.port());
  looped.send(get("/loop"));
  REQUIRE(wait_until([&] { return on_loop.load(); }));
  auto stopped = std::async(std::launch::async, [&] { return s.server.stop(); });
  std::this_thread::sleep_for(300ms);
  CHECK(stopped.wait_for(0ms) == std::future_status::timeout); // the worker's request is still running
  auto bytes = looped.read_to_end(2s);
  CHECK(bytes.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(bytes.find("Connection: close") != std::string::npos);
  CHECK(bytes.find("from the loop") != std::string::npos);
  release.set_value();
  CHECK(stopped.get());
  bytes = pooled.read_to_end(2s);
  CHECK(bytes.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
  CHECK(bytes.find("Connection: close") != std::string::npos);
  CHECK(bytes.find("from a worker") != std::string::npos);
  CHECK(pooled.closed());
}

TEST_CASE("a handler that throws on the loop, or in a worker's part, gets a 500 and the server goes on",
          "[http_server][loops]") {
  running s(
      loopback(1, 1),
      [](http_request& r, const request_context&, http_response& res) -> request_work {
        if (r.target == "/throw-on-loop")
          throw std::runtime_error("on the loop");
        if (r.target == "/throw-on-worker")
          return [](http_request&, const request_context&, http_response&) {
            throw std::runtime_error("on a worker");
          };
        res.body = "ok";
        return {};
      },
      on_loop_or_workers{});
  for (const char* target : {"/throw-on-loop", "/throw-on-worker"}) {
    raw_client client("127.0.0.1", s.server.port());
    client.send(get(target, true));
    CHECK(client.read_to_end(2s).rfind("HTTP/1.1 500 ", 0) == 0);
  }
  raw_client after("127.0.0.1", s.server.port());
  after.send(get("/", true));
  CHECK(after.read_to_end(2s).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
}

TEST_CASE("edge-triggered connections: bytes are read however they come: after an answer, in pieces, "
          "pipelined, while a request runs, more than one read takes",
          "[http_server][loops]") {
  std::promise<void> release;
  auto released = release.get_future().share();
  std::atomic<int> blocking{0};
  running s(
      loopback(1, 1),
      [&](http_request& r, const request_context&, http_response& res) -> request_work {
        if (r.target != "/block") {
          res.body = r.method + " " + r.target + " " + std::to_string(r.body.size());
          return {};
        }
        return [&](http_request&, const request_context&, http_response& answer) {
          ++blocking;
          released.wait();
          answer.body = "blocked";
        };
      },
      on_loop_or_workers{});
  raw_client c("127.0.0.1", s.server.port());
  auto answer = [&c](const std::string& body) { // one whole response, by its Content-Length
    std::string head;
    while (head.find("\r\n\r\n") == std::string::npos) {
      auto byte = c.read(1, 2s);
      if (byte.empty())
        return false;
      head += byte;
    }
    auto at = head.find("Content-Length: ");
    if (head.rfind("HTTP/1.1 200 OK\r\n", 0) != 0 || at == std::string::npos)
      return false;
    return c.read(std::stoul(head.substr(at + 16)), 2s) == body;
  };

  // After an answer the server reads nothing until the next request's edge: one that comes later is read.
  for (int i = 0; i < 3; ++i) {
    c.send(get("/later"));
    CHECK(answer("GET /later 0"));
    std::this_thread::sleep_for(30ms);
  }
  // A head in three pieces.
  auto piecewise = get("/pieces");
  c.send(piecewise.substr(0, 5));
  std::this_thread::sleep_for(20ms);
  c.send(piecewise.substr(5, 10));
  std::this_thread::sleep_for(20ms);
  c.send(piecewise.substr(15));
  CHECK(answer("GET /pieces 0"));
  // Three requests in one send: answered in order from the buffer.
  c.send(get("/1") + get("/2") + get("/3"));
  CHECK(answer("GET /1 0"));
  CHECK(answer("GET /2 0"));
  CHECK(answer("GET /3 0"));
  // Sent while the request before it runs on a worker (its edge comes while nobody reads): read once the
  // answer is out.
  c.send(get("/block"));
  REQUIRE(wait_until([&] { return blocking == 1; }));
  c.send(get("/meanwhile"));
  std::this_thread::sleep_for(50ms);
  release.set_value();
  CHECK(answer("blocked"));
  CHECK(answer("GET /meanwhile 0"));
  // A body of 512 KB in one send: far more than one read takes (64 KB), the rest read without a new edge.
  std::string body(512 * 1024, 'x');
  c.send("POST /big HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         body);
  CHECK(answer("POST /big 524288"));
}

TEST_CASE("a client that sends its request and shuts its side at once is answered and closed at once, "
          "not at the idle timeout",
          "[http_server][loops]") {
  auto o = loopback(1, 1);
  o.idle_timeout = 10s;
  running s(o, answer_ok);
  for (int i = 0; i < 20; ++i) { // the request and the FIN in one event, or in two
    raw_client c("127.0.0.1", s.server.port());
    c.send(get("/half"));
    ::shutdown(c.fd(), SHUT_WR);
    auto start = clock::now();
    auto bytes = c.read_to_end(3s);
    CHECK(bytes.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(bytes.find("\r\n\r\nok /half") != std::string::npos);
    CHECK(c.closed());
    CHECK(clock::now() - start < 1s);
  }
}
