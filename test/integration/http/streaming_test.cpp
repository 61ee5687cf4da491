// Streaming responses over real sockets: a plug answers with a stream and sends server-sent events later,
// from another thread; clients read them as chunked HTTP (a raw client and curl). An open stream holds no
// worker and counts against the connection cap; neither the request deadline nor the idle clock ends it;
// a client that leaves frees its connection; stop() ends open streams with their final chunk.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "plugnode/plugs/head.hpp"
#include "plugnode/plugs/pipeline.hpp"
#include "plugnode/plugs/response_stream.hpp"
#include "plugnode/plugs/router.hpp"
#include "plugnode/test/raw_client.hpp"
#include "served.hpp"

using namespace plugnode::plugs;
using namespace std::chrono_literals;
using plugnode::test::raw_client;
using plugnode::test::served;
using plugnode::test::status_of;

namespace {

const std::string get_events = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
const std::string get_root = "GET / HTTP/1.1\r\nHost: x\r\n\r\n";

// The producer side of a feed: the streams the route opened, and how many of them ended.
struct feed {
  std::mutex mutex;
  std::condition_variable changed;
  std::vector<std::shared_ptr<response_stream>> streams;
  int closed = 0;

  template <class Pred> bool wait_for(Pred pred, std::chrono::milliseconds timeout = 3s) {
    std::unique_lock lock(mutex);
    return changed.wait_for(lock, timeout, [&] { return pred(*this); });
  }
  int closed_now() {
    std::lock_guard lock(mutex);
    return closed;
  }
  std::size_t opened() {
    std::lock_guard lock(mutex);
    return streams.size();
  }
  std::shared_ptr<response_stream> stream(std::size_t i) {
    std::lock_guard lock(mutex);
    return streams.at(i);
  }
};

plug app(feed& f) {
  router r;
  r.get("/", [](conn& c) { c.send_resp(200, "ok"); });
  r.get("/events", [&f](conn& c) {
    c.put_resp_content_type("text/event-stream").put_resp_header("cache-control", "no-cache");
    send_stream(c, 200, [&f](std::shared_ptr<response_stream> s) {
      s->on_close([&f] {
        std::lock_guard lock(f.mutex);
        ++f.closed;
        f.changed.notify_all();
      });
      std::lock_guard lock(f.mutex);
      f.streams.push_back(std::move(s));
      f.changed.notify_all();
    });
  });
  // A stream its plug fills and ends at once, in on_open.
  r.get("/count/:n", [](conn& c) {
    auto n = std::stoi(c.path_params["n"]);
    send_stream(c, 200, [n](std::shared_ptr<response_stream> s) {
      for (int i = 0; i < n; ++i)
        s->send("data: " + std::to_string(i) + "\n\n");
      s->close();
    });
  });
  return pipeline{head{}, std::move(r)};
}

// Reads until `bytes` holds `wanted`, the server closes, or `timeout` passes.
bool read_until(raw_client& client, std::string& bytes, const std::string& wanted,
                std::chrono::milliseconds timeout = 3s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (bytes.find(wanted) == std::string::npos && !client.closed() &&
         std::chrono::steady_clock::now() < deadline)
    bytes += client.read(1, 50ms);
  return bytes.find(wanted) != std::string::npos;
}

// The data of a chunked body (after the head), and whether its final chunk came.
std::pair<std::string, bool> dechunk(const std::string& bytes) {
  auto at = bytes.find("\r\n\r\n");
  std::string data;
  if (at == std::string::npos)
    return {data, false};
  at += 4;
  while (true) {
    auto line_end = bytes.find("\r\n", at);
    if (line_end == std::string::npos)
      return {data, false};
    auto size = std::stoul(bytes.substr(at, line_end - at), nullptr, 16);
    if (size == 0)
      return {data, bytes.compare(line_end, 4, "\r\n\r\n") == 0};
    if (bytes.size() < line_end + 2 + size + 2)
      return {data, false};
    data += bytes.substr(line_end + 2, size);
    at = line_end + 2 + size + 2;
  }
}

// Whether a fresh connection is answered within `timeout` (false: refused at the cap, or not served).
bool served_fresh(std::uint16_t port, std::chrono::milliseconds timeout = 1s) {
  raw_client client("127.0.0.1", port);
  client.send(get_root);
  std::string bytes;
  return read_until(client, bytes, "\r\n\r\nok", timeout) && status_of(bytes) == 200;
}

} // namespace

TEST_CASE(
    "a plug streams 500 server-sent events from another thread, and the client reads them in order, then "
    "the end",
    "[streaming]") {
  feed f;
  served server(app(f));
  raw_client client("127.0.0.5", "127.0.0.1", server.port());
  REQUIRE(client.send(get_events));
  REQUIRE(f.wait_for([](feed& x) { return x.streams.size() == 1; }));
  std::string bytes;
  REQUIRE(read_until(client, bytes, "\r\n\r\n"));
  CHECK(status_of(bytes) == 200);
  CHECK(bytes.find("Transfer-Encoding: chunked\r\n") != std::string::npos);
  CHECK(bytes.find("content-type: text/event-stream\r\n") != std::string::npos);
  CHECK(bytes.find("Connection: close\r\n") != std::string::npos);
  CHECK(bytes.find("Content-Length") == std::string::npos);

  std::string expected;
  std::thread producer([&] {
    auto s = f.stream(0);
    for (int i = 0; i < 500; ++i)
      s->send("id: " + std::to_string(i) + "\ndata: event " + std::to_string(i) + "\n\n");
    s->close();
  });
  for (int i = 0; i < 500; ++i)
    expected += "id: " + std::to_string(i) + "\ndata: event " + std::to_string(i) + "\n\n";
  producer.join();
  bytes += client.read_to_end(3s);
  CHECK(client.closed()); // the stream's end is the connection's
  auto [data, finished] = dechunk(bytes);
  CHECK(finished);
  CHECK(data == expected);
  CHECK(f.wait_for([](feed& x) { return x.closed == 1; }));
}

TEST_CASE("curl reads a stream its plug filled and closed in on_open, and HEAD gets the head alone",
          "[streaming]") {
  feed f;
  served server(app(f));
  auto url = "http://127.0.0.1:" + std::to_string(server.port()) + "/count/100";
  std::string out;
  auto* p = ::popen(("curl -sN --max-time 5 " + url).c_str(), "r");
  REQUIRE(p);
  char buffer[4096];
  while (auto n = std::fread(buffer, 1, sizeof buffer, p))
    out.append(buffer, n);
  CHECK(::pclose(p) == 0); // curl saw a complete chunked body
  std::string expected;
  for (int i = 0; i < 100; ++i)
    expected += "data: " + std::to_string(i) + "\n\n";
  CHECK(out == expected);

  raw_client head("127.0.0.1", server.port());
  head.send("HEAD /events HTTP/1.1\r\nHost: x\r\n\r\n");
  auto bytes = head.read_to_end(2s);
  CHECK(head.closed());
  CHECK(status_of(bytes) == 200);
  CHECK(bytes.size() == bytes.find("\r\n\r\n") + 4); // no body
  CHECK(f.opened() == 0);                            // on_open never ran

  raw_client old("127.0.0.1",
                 server.port()); // HTTP/1.0: no chunked coding; the body ends with the connection
  old.send("GET /count/3 HTTP/1.0\r\n\r\n");
  bytes = old.read_to_end(2s);
  CHECK(old.closed());
  CHECK(bytes.find("Transfer-Encoding") == std::string::npos);
  CHECK(bytes.substr(bytes.find("\r\n\r\n") + 4) == "data: 0\n\ndata: 1\n\ndata: 2\n\n");
}

TEST_CASE("an open stream holds no worker, and neither the deadline nor the idle clock ends it",
          "[streaming]") {
  feed f;
  endpoint_options options;
  options.workers = 1;
  options.deadline = 300ms;
  options.idle_timeout = 300ms;
  served server(app(f), options);
  raw_client client("127.0.0.1", server.port());
  client.send(get_events);
  REQUIRE(f.wait_for([](feed& x) { return x.streams.size() == 1; }));
  std::string bytes;
  REQUIRE(read_until(client, bytes, "\r\n\r\n"));
  std::this_thread::sleep_for(1s);           // past both clocks, the stream silent
  CHECK(served_fresh(server.port(), 500ms)); // the one worker is free
  CHECK(f.stream(0)->send("data: still here\n\n"));
  CHECK(read_until(client, bytes, "data: still here\n\n"));
  CHECK_FALSE(client.closed());
  CHECK(bytes.find("503") == std::string::npos);
  CHECK(f.closed_now() == 0);
}

TEST_CASE("a client leaving mid-stream ends the stream and frees its place under the connection cap",
          "[streaming]") {
  feed f;
  endpoint_options options;
  options.max_connections = 1;
  served server(app(f), options);
  auto client = std::make_unique<raw_client>("127.0.0.1", "127.0.0.1", server.port());
  client->send(get_events);
  REQUIRE(f.wait_for([](feed& x) { return x.streams.size() == 1; }));
  auto s = f.stream(0);
  for (int i = 0; i < 10; ++i)
    REQUIRE(s->send("data: " + std::to_string(i) + "\n\n"));
  std::string bytes;
  REQUIRE(read_until(*client, bytes, "data: 9\n\n"));
  CHECK_FALSE(served_fresh(server.port())); // the stream holds the only place
  client.reset();                           // the client leaves
  CHECK(f.wait_for([](feed& x) { return x.closed == 1; }));
  CHECK_FALSE(s->is_open());
  CHECK_FALSE(s->send("data: to nobody\n\n"));
  CHECK(served_fresh(server.port()));
}

TEST_CASE("a client that takes nothing is dropped once the stream's bound is passed", "[streaming]") {
  feed f;
  endpoint_options options;
  options.stream_buffer = 64 * 1024;
  served server(app(f), options);
  raw_client client("127.0.0.1", server.port()); // never reads after the head
  client.send(get_events);
  REQUIRE(f.wait_for([](feed& x) { return x.streams.size() == 1; }));
  auto s = f.stream(0);
  const std::string event = "data: " + std::string(1018, 'x') + "\n\n";
  // The kernel's buffers on both sides take a few MB first; bounded at 256 MB sent.
  std::size_t sent = 0;
  while (sent < (std::size_t{256} << 20) && s->send(event))
    sent += event.size();
  CHECK_FALSE(s->is_open());
  CHECK(sent < (std::size_t{256} << 20));
  CHECK(f.wait_for([](feed& x) { return x.closed == 1; }));
  CHECK(served_fresh(server.port()));
}

TEST_CASE("stop() ends every open stream with its final chunk and closes", "[streaming]") {
  feed f;
  served server(app(f));
  std::vector<std::unique_ptr<raw_client>> clients;
  for (int i = 0; i < 3; ++i) {
    clients.push_back(std::make_unique<raw_client>("127.0.0.1", server.port()));
    clients.back()->send(get_events);
  }
  REQUIRE(f.wait_for([](feed& x) { return x.streams.size() == 3; }));
  f.stream(1)->send("data: before the stop\n\n");
  auto start = std::chrono::steady_clock::now();
  CHECK(server.stop());
  CHECK(std::chrono::steady_clock::now() - start < 1500ms);
  for (auto& c : clients) {
    auto bytes = c->read_to_end(2s);
    CHECK(c->closed());
    CHECK(dechunk(bytes).second);
  }
  CHECK(f.closed_now() == 3);
  CHECK_FALSE(f.stream(0)->send("data: after\n\n"));
}
